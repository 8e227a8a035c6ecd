#include "libpq_api.hpp"

#include <dlfcn.h>

#include <mutex>
#include <string>

#include "chimera/store/run_store.hpp"

namespace chimera::service {
namespace {

/// The soname of Debian 12's libpq5 (and every libpq since PostgreSQL 8.2).
constexpr const char* library_name = "libpq.so.5";

template <typename Function>
void bind(void* library, Function& function, const char* name) {
    void* symbol = ::dlsym(library, name);
    if (symbol == nullptr) {
        throw store_error(
            std::string{"the PostgreSQL store needs "}.append(library_name).append(", which has no ").append(name));
    }
    function = reinterpret_cast<Function>(symbol);
}

libpq_api load() {
#ifdef CHIMERA_STATIC_RUNTIME
    // A static executable cannot load a shared library that needs the C library's shared object.
    throw store_error(
        "this chimera is the static build (the default image), which cannot load libpq: the PostgreSQL store "
        "(--store) needs a dynamic build, such as the Dockerfile's runtime-shared-store image");
#endif
    void* library = ::dlopen(library_name, RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
        const char* why = ::dlerror();
        throw store_error(std::string{"the PostgreSQL store (--store) needs libpq: install Debian's libpq5 ("}
                              .append(why != nullptr ? why : library_name)
                              .append(")"));
    }
    libpq_api api{};
    bind(library, api.PQclear, "PQclear");
    bind(library, api.PQcmdTuples, "PQcmdTuples");
    bind(library, api.PQconnectPoll, "PQconnectPoll");
    bind(library, api.PQconnectStartParams, "PQconnectStartParams");
    bind(library, api.PQconnectdbParams, "PQconnectdbParams");
    bind(library, api.PQconsumeInput, "PQconsumeInput");
    bind(library, api.PQdb, "PQdb");
    bind(library, api.PQerrorMessage, "PQerrorMessage");
    bind(library, api.PQescapeIdentifier, "PQescapeIdentifier");
    bind(library, api.PQexec, "PQexec");
    bind(library, api.PQexecPrepared, "PQexecPrepared");
    bind(library, api.PQfinish, "PQfinish");
    bind(library, api.PQfname, "PQfname");
    bind(library, api.PQfreemem, "PQfreemem");
    bind(library, api.PQgetisnull, "PQgetisnull");
    bind(library, api.PQgetlength, "PQgetlength");
    bind(library, api.PQgetvalue, "PQgetvalue");
    bind(library, api.PQhost, "PQhost");
    bind(library, api.PQnotifies, "PQnotifies");
    bind(library, api.PQntuples, "PQntuples");
    bind(library, api.PQport, "PQport");
    bind(library, api.PQprepare, "PQprepare");
    bind(library, api.PQresultErrorField, "PQresultErrorField");
    bind(library, api.PQresultErrorMessage, "PQresultErrorMessage");
    bind(library, api.PQresultStatus, "PQresultStatus");
    bind(library, api.PQsetNoticeProcessor, "PQsetNoticeProcessor");
    bind(library, api.PQsocket, "PQsocket");
    bind(library, api.PQstatus, "PQstatus");
    bind(library, api.PQtransactionStatus, "PQtransactionStatus");
    return api;
}

}  // namespace

const libpq_api& libpq() {
    static std::once_flag once;
    static libpq_api api{};
    std::call_once(once, [] { api = load(); });
    return api;
}

}  // namespace chimera::service
