#include "http.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
  HttpResponse* response;
  size_t limit;
  atomic_int* cancel;
} Transfer;

static size_t on_body(char* data, size_t size, size_t count, void* user) {
  Transfer* t = user;
  HttpResponse* r = t->response;
  size_t n = size * count;
  if (r->length + n > t->limit) {
    r->too_large = 1;
    return 0;
  }
  char* body = realloc(r->body, r->length + n + 1);
  if (!body) return 0;
  memcpy(body + r->length, data, n);
  r->body = body;
  r->length += n;
  body[r->length] = 0;
  return n;
}

static size_t on_header(char* data, size_t size, size_t count, void* user) {
  Transfer* t = user;
  size_t n = size * count;
  if (n > 8 && !strncasecmp(data, "X-Trino-", 8) && n < 65536) {
    char* line = strndup(data, n);
    if (!line) return 0;
    line[strcspn(line, "\r\n")] = 0;
    struct curl_slist* list = curl_slist_append(t->response->trino_headers, line);
    free(line);
    if (!list) return 0;
    t->response->trino_headers = list;
  }
  return n;
}

static int on_progress(void* user, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d) {
  (void)a, (void)b, (void)c, (void)d;
  Transfer* t = user;
  return t->cancel && atomic_load(t->cancel) ? 1 : 0;
}

void http_response_clear(HttpResponse* r) {
  free(r->body);
  curl_slist_free_all(r->trino_headers);
  memset(r, 0, sizeof(*r));
}

AdbcStatusCode http_exchange(CURL* curl, const HttpConfig* config, const char* method, const char* url,
                             const char* body, struct curl_slist* headers, atomic_int* cancel,
                             HttpResponse* response, TrinoStatus* st) {
  memset(response, 0, sizeof(*response));
  Transfer transfer = {response, config->max_response_bytes, cancel};
  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, config->connect_timeout_ms);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, config->timeout_ms);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, config->tls_verify ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, config->tls_verify ? 2L : 0L);
  if (config->ca_file) curl_easy_setopt(curl, CURLOPT_CAINFO, config->ca_file);
  if (config->password) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERNAME, config->username ? config->username : "");
    curl_easy_setopt(curl, CURLOPT_PASSWORD, config->password);
  }
  if (!strcmp(method, "POST")) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
  } else if (strcmp(method, "GET")) {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  }
  CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_ABORTED_BY_CALLBACK) return trino_fail(st, ADBC_STATUS_CANCELLED, "query cancelled");
  if (response->too_large)
    return trino_fail(st, ADBC_STATUS_IO, "response from %s is larger than %zu bytes (adbc.trino.max_response_bytes)",
                      url, config->max_response_bytes);
  if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CONNECT_ERROR)
    return trino_fail(st, ADBC_STATUS_IO,
                      "TLS failure talking to %s: %s (set adbc.trino.tls.ca_file to the server's CA, or "
                      "adbc.trino.tls.verify=false for a test server)",
                      url, curl_easy_strerror(rc));
  if (rc == CURLE_OPERATION_TIMEDOUT)
    return trino_fail(st, ADBC_STATUS_TIMEOUT, "%s %s timed out: %s", method, url, curl_easy_strerror(rc));
  if (rc != CURLE_OK)
    return trino_fail(st, ADBC_STATUS_IO, "%s %s failed: %s", method, url, curl_easy_strerror(rc));
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response->status);
  if (!response->body) {
    response->body = calloc(1, 1);
    if (!response->body) return trino_fail(st, ADBC_STATUS_INTERNAL, "out of memory");
  }
  return ADBC_STATUS_OK;
}
