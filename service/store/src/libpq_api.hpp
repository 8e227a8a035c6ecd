#pragma once

#include <libpq-fe.h>

namespace chimera::service {

/// libpq, loaded the first time a PostgreSQL store is opened instead of linked: only a replica
/// on the shared store (--store) needs it, and with it the thirty libraries Debian's libpq loads
/// (Kerberos, LDAP, TLS: 14 MB), which would otherwise weigh on every process and on the
/// embedded store's image. The functions the store calls, by their libpq names.
struct libpq_api {
    decltype(&::PQclear) PQclear;
    decltype(&::PQcmdTuples) PQcmdTuples;
    decltype(&::PQconnectPoll) PQconnectPoll;
    decltype(&::PQconnectStartParams) PQconnectStartParams;
    decltype(&::PQconnectdbParams) PQconnectdbParams;
    decltype(&::PQconsumeInput) PQconsumeInput;
    decltype(&::PQdb) PQdb;
    decltype(&::PQerrorMessage) PQerrorMessage;
    decltype(&::PQescapeIdentifier) PQescapeIdentifier;
    decltype(&::PQexec) PQexec;
    decltype(&::PQexecPrepared) PQexecPrepared;
    decltype(&::PQfinish) PQfinish;
    decltype(&::PQfname) PQfname;
    decltype(&::PQfreemem) PQfreemem;
    decltype(&::PQgetisnull) PQgetisnull;
    decltype(&::PQgetlength) PQgetlength;
    decltype(&::PQgetvalue) PQgetvalue;
    decltype(&::PQhost) PQhost;
    decltype(&::PQnotifies) PQnotifies;
    decltype(&::PQntuples) PQntuples;
    decltype(&::PQport) PQport;
    decltype(&::PQprepare) PQprepare;
    decltype(&::PQresultErrorField) PQresultErrorField;
    decltype(&::PQresultErrorMessage) PQresultErrorMessage;
    decltype(&::PQresultStatus) PQresultStatus;
    decltype(&::PQsetNoticeProcessor) PQsetNoticeProcessor;
    decltype(&::PQsocket) PQsocket;
    decltype(&::PQstatus) PQstatus;
    decltype(&::PQtransactionStatus) PQtransactionStatus;
};

/// The loaded library; throws store_error naming what to install when it cannot be loaded.
[[nodiscard]] const libpq_api& libpq();

}  // namespace chimera::service
