#include "store_contract.hpp"

#include "chimera/store/pg_run_store.hpp"
#include "chimera/store/sqlite_run_store.hpp"
#include "postgres_server.hpp"
#include "service_test_support.hpp"

namespace chimera::service::test {
namespace {

template <typename Store>
store_handle handle_of(std::shared_ptr<Store> store) {
    auto* raw = store.get();
    return {std::move(store), raw, raw};
}

class sqlite_place final : public store_place {
public:
    store_handle open() override { return handle_of(std::make_shared<sqlite_run_store>(dir_.path())); }

private:
    temp_dir dir_;
};

class postgres_place final : public store_place {
public:
    store_handle open() override {
        return handle_of(std::make_shared<pg_run_store>(
            pg_store_settings{conninfo_, 4, std::chrono::seconds{5}, std::chrono::seconds{5}}));
    }

private:
    std::string conninfo_ = fresh_postgres_database();
};

}  // namespace

std::string fresh_postgres_database() { return test_support::shared_postgres_server().create_database(); }

std::vector<store_kind> contract_store_kinds() {
    return {{"sqlite", [] { return std::make_unique<sqlite_place>(); }},
            {"postgresql", [] { return std::make_unique<postgres_place>(); }}};
}

}  // namespace chimera::service::test
