#!/usr/bin/env python3
"""Check the wire contract in proto-free-api/.

- every schemas/*.schema.json is a valid JSON Schema (draft 2020-12);
- every examples/<name>[.<variant>].json validates against schemas/<name>.schema.json;
- every examples/invalid/<name>[.<variant>].json is rejected (unparsable JSON or a schema error);
- openapi.yaml parses, is OpenAPI 3.1, and every $ref / externalValue in it resolves.

Exit status: 0 when all checks pass, 1 when one fails, 77 when jsonschema or PyYAML is missing
(Debian: apt-get install python3-jsonschema python3-yaml). Works with jsonschema 4.10 (Debian 12)
and >= 4.18. Usage: validate_examples.py [proto-free-api dir]  (default: this script's directory)
"""

import datetime
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

Validator = jsonschema.Draft202012Validator

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")

FORMAT_CHECKER = jsonschema.FormatChecker()


# jsonschema checks "date-time" only when rfc3339-validator is installed; check it ourselves.
@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_date_time(value):
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        return False
    # Range checks (month 13, hour 25, ...); the fraction is dropped since only its form matters.
    datetime.datetime.fromisoformat(re.sub(r"\.\d+", "", value.upper()).replace("Z", "+00:00"))
    return True


class Checker:
    def __init__(self, root: pathlib.Path):
        self.root = root
        self.failures = 0
        self.passes = 0

    def ok(self, what: str) -> None:
        self.passes += 1
        print(f"ok    {what}")

    def fail(self, what: str, why: str) -> None:
        self.failures += 1
        print(f"FAIL  {what}: {why}")


def load_schemas(chk: Checker) -> dict:
    """Returns {file name: schema}; each schema gets its file URI as $id so relative $refs resolve."""
    schemas = {}
    for path in sorted((chk.root / "schemas").glob("*.schema.json")):
        rel = path.relative_to(chk.root)
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
            Validator.check_schema(schema)
        except (json.JSONDecodeError, jsonschema.SchemaError) as exc:
            chk.fail(str(rel), str(exc).splitlines()[0])
            continue
        schema = dict(schema)
        schema["$id"] = path.resolve().as_uri()
        schemas[path.name] = schema
        chk.ok(f"{rel} is a draft 2020-12 schema")
    if not schemas:
        chk.fail("schemas/", "no *.schema.json found")
    return schemas


def make_validator_factory(schemas: dict):
    by_uri = {s["$id"]: s for s in schemas.values()}
    try:
        from referencing import Registry, Resource  # jsonschema >= 4.18
        from referencing.jsonschema import DRAFT202012

        registry = Registry().with_resources(
            (uri, Resource.from_contents(s, default_specification=DRAFT202012)) for uri, s in by_uri.items()
        )

        def factory(schema):
            return Validator(schema, registry=registry, format_checker=FORMAT_CHECKER)

    except ImportError:  # jsonschema < 4.18: RefResolver with a preloaded store, no network
        def factory(schema):
            resolver = jsonschema.RefResolver.from_schema(schema, store=by_uri)
            return Validator(schema, resolver=resolver, format_checker=FORMAT_CHECKER)

    return factory


def schema_for(example: pathlib.Path, schemas: dict):
    name = example.name.split(".", 1)[0] + ".schema.json"
    return name, schemas.get(name)


def check_examples(chk: Checker, schemas: dict, factory) -> None:
    covered = set()
    examples = sorted((chk.root / "examples").glob("*.json"))
    for path in examples:
        rel = path.relative_to(chk.root)
        name, schema = schema_for(path, schemas)
        if schema is None:
            chk.fail(str(rel), f"no schemas/{name} for this example")
            continue
        try:
            instance = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            chk.fail(str(rel), f"not JSON: {exc}")
            continue
        errors = sorted(factory(schema).iter_errors(instance), key=lambda e: list(e.absolute_path))
        if errors:
            for err in errors:
                where = "/".join(str(p) for p in err.absolute_path) or "(root)"
                chk.fail(str(rel), f"{where}: {err.message}")
        else:
            covered.add(name)
            chk.ok(f"{rel} valid against schemas/{name}")
    for name in sorted(set(schemas) - covered):
        chk.fail(f"schemas/{name}", "no valid example in examples/")

    for path in sorted((chk.root / "examples" / "invalid").glob("*.json")):
        rel = path.relative_to(chk.root)
        name, schema = schema_for(path, schemas)
        if schema is None:
            chk.fail(str(rel), f"no schemas/{name} for this example")
            continue
        try:
            instance = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            chk.ok(f"{rel} rejected (not JSON)")
            continue
        err = jsonschema.exceptions.best_match(factory(schema).iter_errors(instance))
        if err is None:
            chk.fail(str(rel), f"accepted by schemas/{name}, expected a rejection")
        else:
            chk.ok(f"{rel} rejected: {err.message}")


def resolve_pointer(doc, pointer: str):
    """RFC 6901 JSON pointer ('' or '/a/b'); raises KeyError/IndexError when absent."""
    if pointer in ("", "/"):
        return doc
    for token in pointer.lstrip("/").split("/"):
        token = urllib.parse.unquote(token).replace("~1", "/").replace("~0", "~")
        doc = doc[int(token)] if isinstance(doc, list) else doc[token]
    return doc


def walk(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key, value
            yield from walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{path}/{i}")


def check_openapi(chk: Checker) -> None:
    path = chk.root / "openapi.yaml"
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        chk.fail("openapi.yaml", str(exc))
        return
    if not isinstance(doc, dict) or not str(doc.get("openapi", "")).startswith("3.1."):
        chk.fail("openapi.yaml", "missing 'openapi: 3.1.x'")
        return
    for key in ("info", "paths"):
        if key not in doc:
            chk.fail("openapi.yaml", f"missing '{key}'")
    chk.ok("openapi.yaml parses as OpenAPI 3.1")

    bad = 0
    operation_ids = []
    for where, key, value in walk(doc):
        if key == "responses" and isinstance(value, dict) and where.startswith("/paths"):
            for code in value:
                if not isinstance(code, str) or not re.fullmatch(r"[1-5](\d\d|XX)|default", code):
                    chk.fail("openapi.yaml", f"{where}/responses: status key {code!r} must be a quoted string")
                    bad += 1
        if key == "operationId":
            operation_ids.append(value)
        if key in ("$ref", "externalValue"):
            target, _, fragment = str(value).partition("#")
            try:
                if target:
                    file = (path.parent / target).resolve()
                    text = file.read_text(encoding="utf-8")
                    base = json.loads(text) if file.suffix == ".json" else yaml.safe_load(text)
                else:
                    base = doc
                if key == "$ref":
                    resolve_pointer(base, fragment)
            except (OSError, ValueError, yaml.YAMLError, KeyError, IndexError, TypeError) as exc:
                chk.fail("openapi.yaml", f"{where}: {key} {value!r} does not resolve ({type(exc).__name__}: {exc})")
                bad += 1
    dupes = {o for o in operation_ids if operation_ids.count(o) > 1}
    if dupes:
        chk.fail("openapi.yaml", f"duplicate operationId {sorted(dupes)}")
        bad += 1

    for name, schema in (doc.get("components", {}).get("schemas", {}) or {}).items():
        if "$ref" not in schema:
            try:
                Validator.check_schema(schema)
            except jsonschema.SchemaError as exc:
                chk.fail("openapi.yaml", f"components/schemas/{name}: {exc.message}")
                bad += 1
    for template, item in doc.get("paths", {}).items():
        for param in re.findall(r"{([^}]+)}", template):
            declared = [p for p in item.get("parameters", []) if "$ref" in p or p.get("name") == param]
            if not declared:
                chk.fail("openapi.yaml", f"path {template}: parameter {param!r} not declared")
                bad += 1
    if not bad:
        chk.ok("openapi.yaml: every $ref and externalValue resolves, status keys are strings")


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent).resolve()
    chk = Checker(root)
    schemas = load_schemas(chk)
    check_examples(chk, schemas, make_validator_factory(schemas))
    check_openapi(chk)
    print(f"{chk.passes} passed, {chk.failures} failed")
    return 1 if chk.failures else 0


if __name__ == "__main__":
    sys.exit(main())
