#include "query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define RETRIES 8

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pause_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static void replace(char** slot, const char* value) {
  free(*slot);
  *slot = value ? strdup(value) : NULL;
}

int session_property(TrinoSession* s, const char* name, const char* value) {
  size_t n = strlen(name);
  struct curl_slist* kept = NULL;
  for (struct curl_slist* p = s->session; p; p = p->next)
    if (strncmp(p->data, name, n) || p->data[n] != '=') kept = curl_slist_append(kept, p->data);
  if (value) {
    char* escaped = curl_easy_escape(s->curl, value, 0);
    size_t size = n + strlen(escaped ? escaped : "") + 2;
    char* entry = malloc(size);
    if (entry && escaped) {
      snprintf(entry, size, "%s=%s", name, escaped);
      kept = curl_slist_append(kept, entry);
    }
    free(entry);
    curl_free(escaped);
  }
  curl_slist_free_all(s->session);
  s->session = kept;
  return 0;
}

static struct curl_slist* add_header(struct curl_slist* list, const char* name, const char* value) {
  if (!value) return list;
  size_t size = strlen(name) + strlen(value) + 3;
  char* line = malloc(size);
  if (!line) return list;
  snprintf(line, size, "%s: %s", name, value);
  struct curl_slist* out = curl_slist_append(list, line);
  free(line);
  return out ? out : list;
}

static struct curl_slist* request_headers(TrinoSession* s) {
  struct curl_slist* h = NULL;
  h = add_header(h, "X-Trino-User", s->user ? s->user : "fusion");
  h = add_header(h, "X-Trino-Source", s->source);
  h = add_header(h, "X-Trino-Catalog", s->catalog);
  h = add_header(h, "X-Trino-Schema", s->schema);
  h = add_header(h, "X-Trino-Time-Zone", s->time_zone);
  for (struct curl_slist* p = s->session; p; p = p->next) h = add_header(h, "X-Trino-Session", p->data);
  if (s->http.jwt) {
    size_t size = strlen(s->http.jwt) + 8;
    char* bearer = malloc(size);
    if (bearer) {
      snprintf(bearer, size, "Bearer %s", s->http.jwt);
      h = add_header(h, "Authorization", bearer);
    }
    free(bearer);
  }
  h = add_header(h, "Content-Type", "text/plain; charset=utf-8");
  return curl_slist_append(h, "Expect:");
}

/* X-Trino-Set-Catalog/-Set-Schema/-Set-Session/-Clear-Session from a response. */
static void apply_session_headers(TrinoSession* s, struct curl_slist* headers) {
  for (struct curl_slist* p = headers; p; p = p->next) {
    char* colon = strchr(p->data, ':');
    if (!colon) continue;
    const char* value = colon + 1 + strspn(colon + 1, " \t");
    size_t name_length = (size_t)(colon - p->data);
    if (name_length == 19 && !strncasecmp(p->data, "X-Trino-Set-Catalog", 19)) replace(&s->catalog, value);
    if (name_length == 18 && !strncasecmp(p->data, "X-Trino-Set-Schema", 18)) replace(&s->schema, value);
    if (name_length == 21 && !strncasecmp(p->data, "X-Trino-Clear-Session", 21)) session_property(s, value, NULL);
    if (name_length == 19 && !strncasecmp(p->data, "X-Trino-Set-Session", 19)) {
      char* pair = strdup(value);
      char* equals = pair ? strchr(pair, '=') : NULL;
      if (equals) {
        *equals = 0;
        int length;
        char* decoded = curl_easy_unescape(s->curl, equals + 1, 0, &length);
        if (decoded) session_property(s, pair, decoded);
        curl_free(decoded);
      }
      free(pair);
    }
  }
}

/* A nextUri must point at the server the query went to: credentials are never sent elsewhere. */
static int same_origin(const char* base, const char* url) {
  size_t n = strlen(base);
  return !strncmp(base, url, n) && url[n] == '/';
}

static AdbcStatusCode http_status_error(long status, const char* url, const char* body, TrinoStatus* st) {
  if (status == 401)
    return trino_fail(st, ADBC_STATUS_UNAUTHENTICATED,
                      "authentication failed (HTTP 401 from %s): check the user and password, or the JWT", url);
  if (status == 403)
    return trino_fail(st, ADBC_STATUS_UNAUTHORIZED, "access denied (HTTP 403 from %s): %.200s", url, body);
  if (status == 404 || status == 410)
    return trino_fail(st, ADBC_STATUS_IO, "the server no longer knows this query (HTTP %ld from %s)", status, url);
  return trino_fail(st, ADBC_STATUS_IO, "HTTP %ld from %s: %.200s", status, url, body);
}

/* One request, retried on 502/503/504 (as the protocol asks), answered with a JSON object. */
static AdbcStatusCode exchange_json(TrinoSession* s, const char* method, const char* url, const char* body,
                                    struct curl_slist* headers, atomic_int* cancel, double deadline, json_t** out,
                                    TrinoStatus* st) {
  HttpResponse response;
  HttpConfig config = s->http;
  for (int attempt = 0;; attempt++) {
    if (deadline > 0) {
      double left = deadline - now_seconds();
      if (left <= 0)
        return trino_fail(st, ADBC_STATUS_TIMEOUT, "query took longer than %g s (adbc.trino.query_timeout)",
                          s->query_timeout_seconds);
      config.timeout_ms = (long)(left * 1000) + 1;
    }
    AdbcStatusCode code = http_exchange(s->curl, &config, method, url, body, headers, cancel, &response, st);
    if (code) {
      http_response_clear(&response);
      if (code == ADBC_STATUS_TIMEOUT && deadline > 0 && now_seconds() >= deadline)
        trino_fail(st, code, "query took longer than %g s (adbc.trino.query_timeout)", s->query_timeout_seconds);
      return code;
    }
    long status = response.status;
    if (status == 200) break;
    int retry = status == 502 || status == 503 || status == 504;
    if (!retry || attempt == RETRIES) {
      code = http_status_error(status, url, response.body, st);
      http_response_clear(&response);
      return code;
    }
    http_response_clear(&response);
    pause_ms(50L << (attempt < 4 ? attempt : 4));
  }
  apply_session_headers(s, response.trino_headers);
  json_error_t error;
  *out = json_loadb(response.body, response.length, JSON_REJECT_DUPLICATES, &error);
  http_response_clear(&response);
  if (!*out)
    return trino_fail(st, ADBC_STATUS_INVALID_DATA,
                      "malformed JSON from the Trino server at %s (line %d, column %d): %s", url, error.line,
                      error.column, error.text);
  if (!json_is_object(*out)) {
    json_decref(*out);
    *out = NULL;
    return trino_fail(st, ADBC_STATUS_INVALID_DATA, "the Trino server at %s answered with JSON that is not an object",
                      url);
  }
  return ADBC_STATUS_OK;
}

static void best_effort_delete(TrinoSession* s, const char* next_uri, struct curl_slist* headers) {
  if (!next_uri || !same_origin(s->base_url, next_uri)) return;
  HttpResponse response;
  TrinoStatus ignored = {0};
  HttpConfig quick = s->http;
  quick.max_response_bytes = 1 << 16;
  quick.timeout_ms = 5000;
  http_exchange(s->curl, &quick, "DELETE", next_uri, NULL, headers, NULL, &response, &ignored);
  http_response_clear(&response);
}

static AdbcStatusCode error_code_for(const char* name, const char* type) {
  if (!name) name = "";
  if (!strcmp(name, "USER_CANCELED")) return ADBC_STATUS_CANCELLED;
  if (!strcmp(name, "PERMISSION_DENIED")) return ADBC_STATUS_UNAUTHORIZED;
  if (strstr(name, "NOT_FOUND")) return ADBC_STATUS_NOT_FOUND;
  if (strstr(name, "ALREADY_EXISTS")) return ADBC_STATUS_ALREADY_EXISTS;
  if (type && !strcmp(type, "USER_ERROR")) return ADBC_STATUS_INVALID_ARGUMENT;
  if (type && !strcmp(type, "INTERNAL_ERROR")) return ADBC_STATUS_INTERNAL;
  return ADBC_STATUS_IO;
}

static AdbcStatusCode trino_error(json_t* doc, json_t* error, TrinoStatus* st) {
  const char* name = json_string_value(json_object_get(error, "errorName"));
  const char* message = json_string_value(json_object_get(error, "message"));
  const char* type = json_string_value(json_object_get(error, "errorType"));
  const char* id = json_string_value(json_object_get(doc, "id"));
  json_t* location = json_object_get(error, "errorLocation");
  char where[64] = "";
  if (json_is_integer(json_object_get(location, "lineNumber")))
    snprintf(where, sizeof(where), " at line %lld, column %lld",
             (long long)json_integer_value(json_object_get(location, "lineNumber")),
             (long long)json_integer_value(json_object_get(location, "columnNumber")));
  trino_fail(st, error_code_for(name, type), "%s%s: %s (query %s)", name ? name : "query failed", where,
             message ? message : "(the server sent no message)", id ? id : "without an id");
  st->vendor_code = (int32_t)json_integer_value(json_object_get(error, "errorCode"));
  return st->code;
}

static AdbcStatusCode add_batch(QueryResult* r, TrinoStatus* st) {
  if (r->n_batches == r->capacity) {
    size_t capacity = r->capacity ? r->capacity * 2 : 8;
    struct ArrowArray* batches = realloc(r->batches, capacity * sizeof(struct ArrowArray));
    if (!batches) return trino_fail(st, ADBC_STATUS_INTERNAL, "out of memory");
    r->batches = batches;
    r->capacity = capacity;
  }
  AdbcStatusCode code = column_finish(r->root, &r->batches[r->n_batches], st);
  if (!code) r->n_batches++;
  return code;
}

/* Columns, data and updateCount of one response. */
static AdbcStatusCode read_page(json_t* doc, QueryResult* r, long page, TrinoStatus* st) {
  json_t* error = json_object_get(doc, "error");
  if (error) return trino_error(doc, error, st);
  json_t* columns = json_object_get(doc, "columns");
  if (columns && !r->root && !(r->root = column_for_result(columns, st))) return st->code;
  json_t* update = json_object_get(doc, "updateCount");
  if (json_is_integer(update)) r->update_count = json_integer_value(update);
  json_t* data = json_object_get(doc, "data");
  if (!data || json_is_null(data)) return ADBC_STATUS_OK;
  if (!r->root) return trino_fail(st, ADBC_STATUS_INVALID_DATA, "the server sent data before its columns");
  if (!json_is_array(data)) return trino_fail(st, ADBC_STATUS_INVALID_DATA, "'data' is not an array (page %ld)", page);
  for (size_t i = 0; i < json_array_size(data); i++) {
    if (column_append(r->root, json_array_get(data, i), st)) {
      char detail[sizeof(st->message)];
      memcpy(detail, st->message, sizeof(detail));
      return trino_fail(st, st->code, "malformed result, page %ld row %zu: %.1900s", page, i + 1, detail);
    }
  }
  return json_array_size(data) ? add_batch(r, st) : ADBC_STATUS_OK;
}

AdbcStatusCode trino_query(TrinoSession* s, const char* sql, atomic_int* cancel, QueryResult* r, TrinoStatus* st) {
  memset(r, 0, sizeof(*r));
  r->update_count = -1;
  struct curl_slist* headers = request_headers(s);
  size_t url_size = strlen(s->base_url) + sizeof("/v1/statement");
  char* url = malloc(url_size);
  if (!headers || !url) {
    curl_slist_free_all(headers);
    free(url);
    return trino_fail(st, ADBC_STATUS_INTERNAL, "out of memory");
  }
  snprintf(url, url_size, "%s/v1/statement", s->base_url);
  json_t* doc = NULL;
  double start = now_seconds();
  double deadline = s->query_timeout_seconds > 0 ? start + s->query_timeout_seconds : 0;
  AdbcStatusCode code = exchange_json(s, "POST", url, sql, headers, cancel, deadline, &doc, st);
  for (long page = 0; !code; page++) {
    code = read_page(doc, r, page, st);
    const char* next = json_string_value(json_object_get(doc, "nextUri"));
    if (!next) break;
    if (!code && !same_origin(s->base_url, next))
      code = trino_fail(st, ADBC_STATUS_INVALID_DATA,
                        "the server's nextUri %.200s is not on %s: refusing to follow it", next, s->base_url);
    else if (!code && page + 1 >= s->max_pages)
      code = trino_fail(st, ADBC_STATUS_IO, "gave up after %ld pages (adbc.trino.max_pages); the query is cancelled",
                        s->max_pages);
    else if (!code && cancel && atomic_load(cancel))
      code = trino_fail(st, ADBC_STATUS_CANCELLED, "query cancelled");
    free(url);
    url = strdup(next);
    json_decref(doc);
    doc = NULL;
    if (!url) code = trino_fail(st, ADBC_STATUS_INTERNAL, "out of memory");
    if (code) {
      best_effort_delete(s, url, headers);
      break;
    }
    code = exchange_json(s, "GET", url, NULL, headers, cancel, deadline, &doc, st);
    if (code && code != ADBC_STATUS_UNAUTHENTICATED) best_effort_delete(s, url, headers);
  }
  json_decref(doc);
  free(url);
  curl_slist_free_all(headers);
  if (code) query_result_clear(r);
  return code;
}

void query_result_clear(QueryResult* r) {
  for (size_t i = 0; i < r->n_batches; i++)
    if (r->batches[i].release) r->batches[i].release(&r->batches[i]);
  free(r->batches);
  column_free(r->root);
  memset(r, 0, sizeof(*r));
  r->update_count = -1;
}

/* --- the result as an ArrowArrayStream --------------------------------------------------------- */

typedef struct {
  QueryResult result;
  size_t next;
  TrinoStatus status;
} StreamState;

static int stream_schema(struct ArrowArrayStream* stream, struct ArrowSchema* out) {
  StreamState* state = stream->private_data;
  if (state->result.root) return column_schema(state->result.root, out, &state->status) ? 12 /* ENOMEM */ : 0;
  json_t* none = json_array();
  Column* empty = none ? column_for_result(none, &state->status) : NULL;
  json_decref(none);
  if (!empty) return 12;
  int rc = column_schema(empty, out, &state->status) ? 12 : 0;
  column_free(empty);
  return rc;
}

static int stream_next(struct ArrowArrayStream* stream, struct ArrowArray* out) {
  StreamState* state = stream->private_data;
  if (state->next < state->result.n_batches) {
    *out = state->result.batches[state->next];
    state->result.batches[state->next++].release = NULL;
  } else {
    memset(out, 0, sizeof(*out));
  }
  return 0;
}

static const char* stream_error(struct ArrowArrayStream* stream) {
  StreamState* state = stream->private_data;
  return state->status.message[0] ? state->status.message : NULL;
}

static void stream_release(struct ArrowArrayStream* stream) {
  StreamState* state = stream->private_data;
  query_result_clear(&state->result);
  free(state);
  stream->release = NULL;
}

AdbcStatusCode query_result_export(QueryResult* result, struct ArrowArrayStream* out, TrinoStatus* st) {
  StreamState* state = calloc(1, sizeof(StreamState));
  if (!state) return trino_fail(st, ADBC_STATUS_INTERNAL, "out of memory");
  state->result = *result;
  memset(result, 0, sizeof(*result));
  out->get_schema = stream_schema;
  out->get_next = stream_next;
  out->get_last_error = stream_error;
  out->release = stream_release;
  out->private_data = state;
  return ADBC_STATUS_OK;
}
