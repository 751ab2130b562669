/* The ADBC entry points: databases hold options, connections a Trino session, statements a query. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "info.h"
#include "query.h"

#define EXPORT __attribute__((visibility("default")))
#define SESSION_PREFIX "adbc.trino.session."

typedef struct {
  TrinoSession defaults; /* copied into each connection */
} Database;

typedef struct {
  TrinoSession session;
  atomic_int cancel;
} Connection;

typedef struct {
  Connection* connection;
  char* sql;
} Statement;

/* --- options -------------------------------------------------------------------------------- */

static int parse_long(const char* value, long minimum, long* out) {
  char* end;
  long x = strtol(value, &end, 10);
  if (!*value || *end || x < minimum) return -1;
  *out = x;
  return 0;
}

static char* dup_or_null(const char* value) { return value ? strdup(value) : NULL; }

static void session_free(TrinoSession* s) {
  free(s->base_url);
  free(s->user);
  free(s->source);
  free(s->catalog);
  free(s->schema);
  free(s->time_zone);
  curl_slist_free_all(s->session);
  free(s->http.username);
  free(s->http.password);
  free(s->http.jwt);
  free(s->http.ca_file);
  if (s->curl) curl_easy_cleanup(s->curl);
  memset(s, 0, sizeof(*s));
}

static AdbcStatusCode session_copy(const TrinoSession* from, TrinoSession* to, struct AdbcError* error) {
  *to = *from;
  to->base_url = dup_or_null(from->base_url);
  to->user = dup_or_null(from->user);
  to->source = dup_or_null(from->source);
  to->catalog = dup_or_null(from->catalog);
  to->schema = dup_or_null(from->schema);
  to->time_zone = dup_or_null(from->time_zone);
  to->http.username = dup_or_null(from->http.username);
  to->http.password = dup_or_null(from->http.password);
  to->http.jwt = dup_or_null(from->http.jwt);
  to->http.ca_file = dup_or_null(from->http.ca_file);
  to->session = NULL;
  for (struct curl_slist* p = from->session; p; p = p->next) to->session = curl_slist_append(to->session, p->data);
  to->curl = curl_easy_init();
  if (!to->curl) return trino_set_error(error, ADBC_STATUS_INTERNAL, "could not start libcurl");
  return ADBC_STATUS_OK;
}

/* Options a connection may change too: catalog, schema and session properties. */
static AdbcStatusCode set_session_option(TrinoSession* s, const char* key, const char* value,
                                         struct AdbcError* error) {
  char** slot = NULL;
  if (!strcmp(key, "adbc.trino.catalog") || !strcmp(key, "adbc.connection.catalog")) slot = &s->catalog;
  if (!strcmp(key, "adbc.trino.schema") || !strcmp(key, "adbc.connection.db_schema")) slot = &s->schema;
  if (slot) {
    free(*slot);
    *slot = dup_or_null(value);
    return ADBC_STATUS_OK;
  }
  if (!strncmp(key, SESSION_PREFIX, strlen(SESSION_PREFIX)) && key[strlen(SESSION_PREFIX)]) {
    if (!s->curl && !(s->curl = curl_easy_init()))
      return trino_set_error(error, ADBC_STATUS_INTERNAL, "could not start libcurl");
    session_property(s, key + strlen(SESSION_PREFIX), value);
    return ADBC_STATUS_OK;
  }
  return ADBC_STATUS_NOT_FOUND;
}

static AdbcStatusCode set_database_option(TrinoSession* s, const char* key, const char* value,
                                          struct AdbcError* error) {
  AdbcStatusCode code = set_session_option(s, key, value, error);
  if (code != ADBC_STATUS_NOT_FOUND) return code;
  char** slot = NULL;
  if (!strcmp(key, "uri")) slot = &s->base_url;
  if (!strcmp(key, "username") || !strcmp(key, "adbc.trino.user")) slot = &s->user;
  if (!strcmp(key, "password")) slot = &s->http.password;
  if (!strcmp(key, "adbc.trino.jwt")) slot = &s->http.jwt;
  if (!strcmp(key, "adbc.trino.source")) slot = &s->source;
  if (!strcmp(key, "adbc.trino.time_zone")) slot = &s->time_zone;
  if (!strcmp(key, "adbc.trino.tls.ca_file")) slot = &s->http.ca_file;
  if (slot) {
    free(*slot);
    *slot = dup_or_null(value);
    if (slot == &s->base_url && *slot) {
      size_t n = strlen(*slot);
      while (n && (*slot)[n - 1] == '/') (*slot)[--n] = 0;
    }
    return ADBC_STATUS_OK;
  }
  long number;
  if (!strcmp(key, "adbc.trino.tls.verify")) {
    if (!value || (strcmp(value, "true") && strcmp(value, "false")))
      return trino_set_error(error, ADBC_STATUS_INVALID_ARGUMENT, "adbc.trino.tls.verify must be true or false");
    s->http.tls_verify = !strcmp(value, "true");
    return ADBC_STATUS_OK;
  }
  const char* numbers[] = {"adbc.trino.max_pages", "adbc.trino.query_timeout", "adbc.trino.max_response_bytes",
                           "adbc.trino.connect_timeout"};
  for (int i = 0; i < 4; i++) {
    if (strcmp(key, numbers[i])) continue;
    if (!value || parse_long(value, i == 1 ? 0 : 1, &number))
      return trino_set_error(error, ADBC_STATUS_INVALID_ARGUMENT, "%s must be a whole number%s, not '%s'", key,
                             i == 1 ? " of seconds (0: no limit)" : " above 0", value ? value : "(null)");
    if (i == 0) s->max_pages = number;
    if (i == 1) s->query_timeout_seconds = (double)number;
    if (i == 2) s->http.max_response_bytes = (size_t)number;
    if (i == 3) s->http.connect_timeout_ms = number * 1000;
    return ADBC_STATUS_OK;
  }
  return trino_set_error(error, ADBC_STATUS_NOT_IMPLEMENTED, "unknown database option '%s'", key);
}

/* --- database ------------------------------------------------------------------------------- */

static AdbcStatusCode DatabaseNew(struct AdbcDatabase* database, struct AdbcError* error) {
  Database* db = calloc(1, sizeof(Database));
  if (!db) return trino_set_error(error, ADBC_STATUS_INTERNAL, "out of memory");
  db->defaults.http.tls_verify = 1;
  db->defaults.http.connect_timeout_ms = 10000;
  db->defaults.http.max_response_bytes = 64UL << 20;
  db->defaults.max_pages = 1000000;
  db->defaults.query_timeout_seconds = 0;
  db->defaults.source = strdup("fusion-adbc-trino");
  db->defaults.time_zone = strdup("UTC");
  database->private_data = db;
  return ADBC_STATUS_OK;
}

static AdbcStatusCode DatabaseSetOption(struct AdbcDatabase* database, const char* key, const char* value,
                                        struct AdbcError* error) {
  Database* db = database->private_data;
  if (!db) return trino_set_error(error, ADBC_STATUS_INVALID_STATE, "database is not created");
  return set_database_option(&db->defaults, key, value, error);
}

static AdbcStatusCode DatabaseInit(struct AdbcDatabase* database, struct AdbcError* error) {
  Database* db = database->private_data;
  if (!db) return trino_set_error(error, ADBC_STATUS_INVALID_STATE, "database is not created");
  const char* uri = db->defaults.base_url;
  if (!uri || (strncmp(uri, "http://", 7) && strncmp(uri, "https://", 8)) || !strchr(uri, ':') ||
      strchr(strchr(uri, ':') + 3, '/'))
    return trino_set_error(error, ADBC_STATUS_INVALID_ARGUMENT,
                           "option 'uri' must be http://host:port or https://host:port, not '%s'", uri ? uri : "");
  if (db->defaults.http.password && !db->defaults.user)
    return trino_set_error(error, ADBC_STATUS_INVALID_ARGUMENT, "a password needs a 'username'");
  db->defaults.http.username = dup_or_null(db->defaults.user);
  return ADBC_STATUS_OK;
}

static AdbcStatusCode DatabaseRelease(struct AdbcDatabase* database, struct AdbcError* error) {
  (void)error;
  Database* db = database->private_data;
  if (db) {
    session_free(&db->defaults);
    free(db);
  }
  database->private_data = NULL;
  return ADBC_STATUS_OK;
}

/* --- connection ----------------------------------------------------------------------------- */

static AdbcStatusCode ConnectionNew(struct AdbcConnection* connection, struct AdbcError* error) {
  Connection* conn = calloc(1, sizeof(Connection));
  if (!conn) return trino_set_error(error, ADBC_STATUS_INTERNAL, "out of memory");
  connection->private_data = conn;
  return ADBC_STATUS_OK;
}

static AdbcStatusCode ConnectionSetOption(struct AdbcConnection* connection, const char* key, const char* value,
                                          struct AdbcError* error) {
  Connection* conn = connection->private_data;
  if (!strcmp(key, "adbc.connection.autocommit")) {
    if (value && !strcmp(value, "true")) return ADBC_STATUS_OK;
    return trino_set_error(error, ADBC_STATUS_NOT_IMPLEMENTED, "only autocommit is supported");
  }
  AdbcStatusCode code = set_session_option(&conn->session, key, value, error);
  if (code == ADBC_STATUS_NOT_FOUND)
    return trino_set_error(error, ADBC_STATUS_NOT_IMPLEMENTED, "unknown connection option '%s'", key);
  return code;
}

static AdbcStatusCode ConnectionInit(struct AdbcConnection* connection, struct AdbcDatabase* database,
                                     struct AdbcError* error) {
  Connection* conn = connection->private_data;
  Database* db = database->private_data;
  if (!conn || !db) return trino_set_error(error, ADBC_STATUS_INVALID_STATE, "connection or database not created");
  TrinoSession own = conn->session; /* options set before Init override the database's */
  AdbcStatusCode code = session_copy(&db->defaults, &conn->session, error);
  if (own.catalog) {
    free(conn->session.catalog);
    conn->session.catalog = own.catalog;
  }
  if (own.schema) {
    free(conn->session.schema);
    conn->session.schema = own.schema;
  }
  for (struct curl_slist* p = own.session; p; p = p->next)
    conn->session.session = curl_slist_append(conn->session.session, p->data);
  curl_slist_free_all(own.session);
  if (own.curl) curl_easy_cleanup(own.curl);
  return code;
}

static AdbcStatusCode ConnectionGetOption(struct AdbcConnection* connection, const char* key, char* value,
                                          size_t* length, struct AdbcError* error) {
  Connection* conn = connection->private_data;
  const char* found = NULL;
  if (!strcmp(key, "adbc.connection.catalog")) found = conn->session.catalog;
  else if (!strcmp(key, "adbc.connection.db_schema")) found = conn->session.schema;
  else if (!strcmp(key, "adbc.connection.autocommit")) found = "true";
  else return trino_set_error(error, ADBC_STATUS_NOT_FOUND, "unknown connection option '%s'", key);
  if (!found) found = "";
  size_t needed = strlen(found) + 1;
  if (value && *length >= needed) memcpy(value, found, needed);
  *length = needed;
  return ADBC_STATUS_OK;
}

static AdbcStatusCode ConnectionCancel(struct AdbcConnection* connection, struct AdbcError* error) {
  (void)error;
  Connection* conn = connection->private_data;
  atomic_store(&conn->cancel, 1);
  return ADBC_STATUS_OK;
}

static AdbcStatusCode ConnectionGetInfo(struct AdbcConnection* connection, const uint32_t* codes, size_t n_codes,
                                        struct ArrowArrayStream* out, struct AdbcError* error) {
  (void)connection;
  TrinoStatus st = {0};
  return trino_get_info(codes, n_codes, out, &st) ? trino_export_error(&st, error) : ADBC_STATUS_OK;
}

static AdbcStatusCode ConnectionCommit(struct AdbcConnection* connection, struct AdbcError* error) {
  (void)connection;
  return trino_set_error(error, ADBC_STATUS_INVALID_STATE, "autocommit is on: there is nothing to commit");
}

static AdbcStatusCode ConnectionRelease(struct AdbcConnection* connection, struct AdbcError* error) {
  (void)error;
  Connection* conn = connection->private_data;
  if (conn) {
    session_free(&conn->session);
    free(conn);
  }
  connection->private_data = NULL;
  return ADBC_STATUS_OK;
}

/* --- statement ------------------------------------------------------------------------------ */

static AdbcStatusCode StatementNew(struct AdbcConnection* connection, struct AdbcStatement* statement,
                                   struct AdbcError* error) {
  Statement* stmt = calloc(1, sizeof(Statement));
  if (!stmt) return trino_set_error(error, ADBC_STATUS_INTERNAL, "out of memory");
  stmt->connection = connection->private_data;
  statement->private_data = stmt;
  return ADBC_STATUS_OK;
}

static AdbcStatusCode StatementSetSqlQuery(struct AdbcStatement* statement, const char* query,
                                           struct AdbcError* error) {
  Statement* stmt = statement->private_data;
  free(stmt->sql);
  stmt->sql = dup_or_null(query);
  if (!stmt->sql) return trino_set_error(error, ADBC_STATUS_INVALID_ARGUMENT, "no SQL given");
  return ADBC_STATUS_OK;
}

static AdbcStatusCode StatementExecuteQuery(struct AdbcStatement* statement, struct ArrowArrayStream* out,
                                            int64_t* rows_affected, struct AdbcError* error) {
  Statement* stmt = statement->private_data;
  if (!stmt->sql) return trino_set_error(error, ADBC_STATUS_INVALID_STATE, "no SQL set on the statement");
  Connection* conn = stmt->connection;
  atomic_store(&conn->cancel, 0);
  TrinoStatus st = {0};
  QueryResult result;
  AdbcStatusCode code = trino_query(&conn->session, stmt->sql, &conn->cancel, &result, &st);
  if (code) return trino_export_error(&st, error);
  if (rows_affected) *rows_affected = result.update_count;
  if (!out) {
    query_result_clear(&result);
    return ADBC_STATUS_OK;
  }
  code = query_result_export(&result, out, &st);
  if (code) {
    query_result_clear(&result);
    return trino_export_error(&st, error);
  }
  return ADBC_STATUS_OK;
}

static AdbcStatusCode StatementPrepare(struct AdbcStatement* statement, struct AdbcError* error) {
  Statement* stmt = statement->private_data;
  if (!stmt->sql) return trino_set_error(error, ADBC_STATUS_INVALID_STATE, "no SQL set on the statement");
  return ADBC_STATUS_OK;
}

static AdbcStatusCode StatementCancel(struct AdbcStatement* statement, struct AdbcError* error) {
  (void)error;
  Statement* stmt = statement->private_data;
  atomic_store(&stmt->connection->cancel, 1);
  return ADBC_STATUS_OK;
}

static AdbcStatusCode StatementSetOption(struct AdbcStatement* statement, const char* key, const char* value,
                                         struct AdbcError* error) {
  (void)statement, (void)value;
  return trino_set_error(error, ADBC_STATUS_NOT_IMPLEMENTED, "unknown statement option '%s'", key);
}

static AdbcStatusCode StatementRelease(struct AdbcStatement* statement, struct AdbcError* error) {
  (void)error;
  Statement* stmt = statement->private_data;
  if (stmt) free(stmt->sql);
  free(stmt);
  statement->private_data = NULL;
  return ADBC_STATUS_OK;
}

/* --- driver --------------------------------------------------------------------------------- */

static AdbcStatusCode DriverRelease(struct AdbcDriver* driver, struct AdbcError* error) {
  (void)error;
  driver->release = NULL;
  return ADBC_STATUS_OK;
}

EXPORT AdbcStatusCode AdbcDriverTrinoInit(int version, void* raw_driver, struct AdbcError* error) {
  if (version != ADBC_VERSION_1_0_0 && version != ADBC_VERSION_1_1_0)
    return trino_set_error(error, ADBC_STATUS_NOT_IMPLEMENTED, "ADBC API version %d is not supported", version);
  static int curl_ready = 0;
  if (!curl_ready) {
    if (curl_global_init(CURL_GLOBAL_DEFAULT))
      return trino_set_error(error, ADBC_STATUS_INTERNAL, "could not initialise libcurl");
    curl_ready = 1;
  }
  struct AdbcDriver* driver = raw_driver;
  memset(driver, 0, version == ADBC_VERSION_1_1_0 ? ADBC_DRIVER_1_1_0_SIZE : ADBC_DRIVER_1_0_0_SIZE);
  driver->release = DriverRelease;
  driver->DatabaseNew = DatabaseNew;
  driver->DatabaseSetOption = DatabaseSetOption;
  driver->DatabaseInit = DatabaseInit;
  driver->DatabaseRelease = DatabaseRelease;
  driver->ConnectionNew = ConnectionNew;
  driver->ConnectionSetOption = ConnectionSetOption;
  driver->ConnectionInit = ConnectionInit;
  driver->ConnectionGetInfo = ConnectionGetInfo;
  driver->ConnectionCommit = ConnectionCommit;
  driver->ConnectionRollback = ConnectionCommit;
  driver->ConnectionRelease = ConnectionRelease;
  driver->StatementNew = StatementNew;
  driver->StatementSetSqlQuery = StatementSetSqlQuery;
  driver->StatementExecuteQuery = StatementExecuteQuery;
  driver->StatementPrepare = StatementPrepare;
  driver->StatementSetOption = StatementSetOption;
  driver->StatementRelease = StatementRelease;
  if (version == ADBC_VERSION_1_1_0) {
    driver->ConnectionCancel = ConnectionCancel;
    driver->ConnectionGetOption = ConnectionGetOption;
    driver->StatementCancel = StatementCancel;
  }
  return ADBC_STATUS_OK;
}
