/* Trino's client protocol: POST /v1/statement, follow nextUri, collect columns and data pages. */
#ifndef TRINO_QUERY_H
#define TRINO_QUERY_H

#include <stdatomic.h>

#include "columns.h"
#include "http.h"

/* What a connection sends with every query, and what USE / SET SESSION change. */
typedef struct {
  char* base_url; /* scheme://host[:port], no trailing slash */
  char* user;
  char* source;
  char* catalog;
  char* schema;
  char* time_zone;
  struct curl_slist* session; /* "name=value", values URL-encoded */
  HttpConfig http;
  long max_pages;
  double query_timeout_seconds;
  CURL* curl;
} TrinoSession;

typedef struct {
  Column* root; /* NULL for statements without columns */
  struct ArrowArray* batches;
  size_t n_batches, capacity;
  int64_t update_count; /* -1 when the server sent none */
} QueryResult;

AdbcStatusCode trino_query(TrinoSession* session, const char* sql, atomic_int* cancel, QueryResult* out,
                           TrinoStatus* st);
/* Hand the result to an ArrowArrayStream (which then owns it). */
AdbcStatusCode query_result_export(QueryResult* result, struct ArrowArrayStream* out, TrinoStatus* st);
void query_result_clear(QueryResult* result);

/* Set (value non-NULL) or remove a session property in session->session. */
int session_property(TrinoSession* session, const char* name, const char* value);

#endif
