#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "chimera/store/run_store.hpp"
#include "chimera/store/sweep_store.hpp"

// The store contract suite runs unchanged against every store: one TEST_P per behaviour, instantiated with
// the kinds below. A kind opens stores on a place of its own (a temporary directory, a fresh database).
namespace chimera::service::test {

/// Both interfaces of one store object, which `owner` keeps alive.
struct store_handle {
    std::shared_ptr<void> owner;
    run_store* runs = nullptr;
    sweep_store* sweeps = nullptr;
};

/// Where a store keeps its data; open() opens a store on it, again after the last one closed, or beside it.
class store_place {
public:
    virtual ~store_place() = default;
    [[nodiscard]] virtual store_handle open() = 0;
};

struct store_kind {
    std::string name;
    std::function<std::unique_ptr<store_place>()> make;
};

inline void PrintTo(const store_kind& kind, std::ostream* out) { *out << kind.name; }

/// SQLite in a temporary directory; PostgreSQL in a fresh database of this process's server.
[[nodiscard]] std::vector<store_kind> contract_store_kinds();

/// A place of the PostgreSQL kind, for the PostgreSQL-only tests.
[[nodiscard]] std::string fresh_postgres_database();

}  // namespace chimera::service::test
