/* One HTTP exchange with the Trino coordinator through libcurl: auth, TLS, limits, cancellation. */
#ifndef TRINO_HTTP_H
#define TRINO_HTTP_H

#include <curl/curl.h>
#include <stdatomic.h>
#include <stddef.h>

#include "status.h"

typedef struct {
  char* username;
  char* password;     /* basic auth when set */
  char* jwt;          /* bearer token when set */
  int tls_verify;     /* 0 turns off certificate and host name checks */
  char* ca_file;      /* PEM bundle to trust instead of the system's */
  long connect_timeout_ms;
  long timeout_ms;    /* whole exchange; 0: none */
  size_t max_response_bytes;
} HttpConfig;

typedef struct {
  long status;
  char* body;          /* NUL-terminated */
  size_t length;
  struct curl_slist* trino_headers; /* response headers starting with X-Trino-, "Name: value" */
  int too_large;
} HttpResponse;

/* method is "POST", "GET" or "DELETE"; body only for POST. A non-zero *cancel aborts the transfer
   (ADBC_STATUS_CANCELLED). HTTP status codes are not errors here: the caller reads them. */
AdbcStatusCode http_exchange(CURL* curl, const HttpConfig* config, const char* method, const char* url,
                             const char* body, struct curl_slist* headers, atomic_int* cancel,
                             HttpResponse* response, TrinoStatus* st);
void http_response_clear(HttpResponse* response);

#endif
