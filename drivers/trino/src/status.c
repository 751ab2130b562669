#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

AdbcStatusCode trino_fail(TrinoStatus* st, AdbcStatusCode code, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  vsnprintf(st->message, sizeof(st->message), fmt, args);
  va_end(args);
  st->code = code;
  return code;
}

static void release_error(struct AdbcError* error) {
  free(error->message);
  error->message = NULL;
  error->release = NULL;
}

static void set_message(struct AdbcError* error, const char* message, int32_t vendor_code) {
  if (!error) return;
  if (error->release) error->release(error);
  size_t size = strlen(message) + sizeof("[Trino] ");
  error->message = malloc(size);
  if (error->message) snprintf(error->message, size, "[Trino] %s", message);
  error->vendor_code = vendor_code;
  memset(error->sqlstate, 0, sizeof(error->sqlstate));
  error->release = release_error;
}

AdbcStatusCode trino_export_error(const TrinoStatus* st, struct AdbcError* error) {
  set_message(error, st->message, st->vendor_code);
  return st->code;
}

AdbcStatusCode trino_set_error(struct AdbcError* error, AdbcStatusCode code, const char* fmt, ...) {
  char message[2048];
  va_list args;
  va_start(args, fmt);
  vsnprintf(message, sizeof(message), fmt, args);
  va_end(args);
  set_message(error, message, 0);
  return code;
}
