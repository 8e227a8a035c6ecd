#!/usr/bin/env python3
"""Check the responses chimera really sent against openapi.yaml.

The integration tests' HTTP client appends every exchange to a JSON-lines log when
$CHIMERA_CONTRACT_LOG is set (tests/support/http_client.cpp). For each response of chimera
itself (the simulator's are skipped), this checks that:

- the path matches a path template of openapi.yaml, else the response is the documented one
  for unknown paths (404, or 401 when a token is required);
- the method is an operation of that path, else the response is 405 with `Allow`;
- the status is declared for the operation, or is one that every route may answer
  (413, 431, 500: see info.description);
- the Content-Type is the declared media type, the body validates against its schema
  (with $refs into schemas/*.json) and declared required headers are present and valid.

Fails, listing each kind of violation once with its count and an example, when one is found,
or when the log is missing or holds no response of chimera (a broken recording must not pass).
Exit status 77 when jsonschema or PyYAML is missing. Works with jsonschema 4.10 (Debian 12)
and >= 4.18. Usage: validate_responses.py LOG [proto-free-api dir]
"""

import collections
import json
import pathlib
import re
import sys
import urllib.parse

try:
    import jsonschema
    import yaml
except ImportError as exc:  # pragma: no cover
    print(f"SKIP: {exc} (apt-get install python3-jsonschema python3-yaml)", file=sys.stderr)
    sys.exit(77)

from validate_examples import FORMAT_CHECKER, Validator, resolve_pointer

# Answered on every route whatever the operation declares (info.description: "Limits on every
# route", "Unhandled server faults answer 500"), each with the response object documenting it.
EVERY_ROUTE = {"413": "PayloadTooLarge", "431": "HeaderFieldsTooLarge", "500": "InternalError"}


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def media_type_key(value: str) -> str:
    """`text/plain; version=0.0.4; charset=utf-8` in one spelling: lower case, no blanks."""
    return ";".join(part.strip() for part in value.lower().split(";"))


class Contract:
    def __init__(self, root: pathlib.Path):
        self.path = root / "openapi.yaml"
        self.doc = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        self.uri = self.path.resolve().as_uri()
        self.templates = []
        for template in self.doc["paths"]:
            pattern = "[^/]+".join(re.escape(part) for part in re.split(r"{[^}]+}", template))
            self.templates.append((re.compile(f"^{pattern}$"), template))
        self.by_uri = {self.uri: self.doc}
        for schema_path in (root / "schemas").glob("*.schema.json"):
            self.by_uri[schema_path.resolve().as_uri()] = json.loads(schema_path.read_text(encoding="utf-8"))
        self.validators = {}
        self.registry = None
        try:
            from referencing import Registry, Resource  # jsonschema >= 4.18
            from referencing.jsonschema import DRAFT202012

            self.registry = Registry().with_resources(
                (uri, Resource.from_contents(doc, default_specification=DRAFT202012))
                for uri, doc in self.by_uri.items()
            )
        except ImportError:  # jsonschema < 4.18: a RefResolver over the preloaded documents
            pass

    def follow(self, node: dict, pointer: str):
        """A response or header object, its internal `$ref` followed; returns (object, its pointer)."""
        while isinstance(node, dict) and "$ref" in node and str(node["$ref"]).startswith("#"):
            pointer = node["$ref"][1:]
            node = resolve_pointer(self.doc, pointer)
        return node, pointer

    def validator(self, pointer: str):
        """A validator of the schema at `pointer` in openapi.yaml; its $refs resolve from there."""
        if pointer not in self.validators:
            schema = {"$ref": f"{self.uri}#{urllib.parse.quote(pointer, safe='/~')}"}
            if self.registry is not None:
                v = Validator(schema, registry=self.registry, format_checker=FORMAT_CHECKER)
            else:
                resolver = jsonschema.RefResolver.from_schema(schema, store=self.by_uri)
                v = Validator(schema, resolver=resolver, format_checker=FORMAT_CHECKER)
            self.validators[pointer] = v
        return self.validators[pointer]

    def template_of(self, path: str):
        for pattern, template in self.templates:
            if pattern.match(path):
                return template
        return None

    def expected(self, method: str, path: str, status: str):
        """(what, response object, its pointer) for this exchange, or (what, None, why)."""
        template = self.template_of(path)
        # Routing answers before any operation: 401 first when a token is due (the document's
        # `security` covers every path), then 404 for an unknown path, 405 for an unknown method.
        if template is None:
            allowed = {"404": "NotFound", "401": "Unauthorized"}
            what = f"{method} (unknown path)"
        else:
            item = self.doc["paths"][template]
            operation = item.get(method.lower())
            if operation is None:
                allowed = {"405": "MethodNotAllowed", "401": "Unauthorized"}
                what = f"{method} {template} (no such operation)"
            else:
                what = f"{method} {template}"
                base = f"/paths/{escape(template)}/{method.lower()}/responses"
                if status in operation["responses"]:
                    return (what, *self.follow(operation["responses"][status], f"{base}/{status}"))
                allowed = {}
        allowed.update(EVERY_ROUTE)
        if status not in allowed:
            return what, None, f"status {status} is not declared"
        name = allowed[status]
        pointer = f"/components/responses/{name}"
        return (what, *self.follow(resolve_pointer(self.doc, pointer), pointer))


def check(contract: Contract, record: dict):
    """Yields (what, violation) for one recorded exchange."""
    method, status = record["method"], str(record["status"])
    path = urllib.parse.urlsplit(record["target"]).path
    what, response, where = contract.expected(method, path, status)
    what = f"{what} -> {status}"
    if response is None:
        yield what, where
        return
    headers = record.get("headers", {})
    body = record.get("body", "")

    for name, header in (response.get("headers") or {}).items():
        header, header_pointer = contract.follow(header, f"{where}/headers/{escape(name)}")
        value = headers.get(name.lower())
        if value is None:
            if header.get("required", False):
                yield what, f"required header {name} missing"
            continue
        # Header values are text; a header whose schema is an integer is checked as its number.
        instance = value
        if header.get("schema", {}).get("type") == "integer" and re.fullmatch(r"-?\d+", value):
            instance = int(value)
        error = jsonschema.exceptions.best_match(contract.validator(f"{header_pointer}/schema").iter_errors(instance))
        if error is not None:
            yield what, f"header {name}: {value!r}: {error.message}"

    content = response.get("content") or {}
    if not content:
        if body:
            yield what, "a body where none is declared"
        return
    declared = {media_type_key(k): k for k in content}
    actual = headers.get("content-type")
    if actual is None or media_type_key(actual) not in declared:
        yield what, f"Content-Type {actual!r}, declared {sorted(content)}"
        return
    key = declared[media_type_key(actual)]
    if not record.get("body_utf8", True):
        yield what, "body is not UTF-8"
        return
    media = media_type_key(key).split(";")[0]
    if media == "application/json" or media.endswith("+json"):
        try:
            instance = json.loads(body)
        except json.JSONDecodeError as exc:
            yield what, f"body is not JSON: {exc}"
            return
    else:
        instance = body
    if "schema" in content[key]:
        validator = contract.validator(f"{where}/content/{escape(key)}/schema")
        for error in validator.iter_errors(instance):
            at = "/".join(str(p) for p in error.absolute_path) or "(root)"
            yield what, f"body {at}: {error.message}"


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    log = pathlib.Path(sys.argv[1])
    root = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else pathlib.Path(__file__).parent).resolve()
    if not log.is_file():
        print(f"FAIL  {log}: no recorded responses; run this with the integration tests (ctest -L integration)")
        return 1
    contract = Contract(root)

    servers = collections.Counter()
    checked = collections.Counter()
    violations = collections.OrderedDict()
    for number, line in enumerate(log.read_text(encoding="utf-8").splitlines(), 1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            violations.setdefault(("log", f"line {number} is not JSON: {exc}"), []).append(None)
            continue
        servers[record.get("server")] += 1
        if record.get("server") != "chimera":
            continue
        for what, violation in check(contract, record):
            violations.setdefault((what, violation), []).append(record)
        template = contract.template_of(urllib.parse.urlsplit(record["target"]).path) or "(unknown path)"
        checked[f"{record['method']} {template} -> {record['status']}"] += 1

    by_server = ", ".join(f"{server}: {count}" for server, count in servers.items())
    print(f"{sum(servers.values())} exchanges recorded, by server: {by_server}")
    for exchange, count in sorted(checked.items()):
        print(f"      {count:6d}  {exchange}")
    for (what, violation), records in violations.items():
        example = records[0]
        where = f" (e.g. {example.get('test')}: {example['method']} {example['target']})" if example else ""
        print(f"FAIL  {what}: {violation} [{len(records)}x]{where}")
    if not checked:
        print(f"FAIL  {log}: no response of chimera recorded; the recording is broken or no integration test ran")
        return 1
    print(f"{sum(checked.values())} responses of chimera checked, {len(violations)} kinds of violation")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
