/* Errors inside the driver: a status code and a message, copied into an AdbcError at the API edge. */
#ifndef TRINO_STATUS_H
#define TRINO_STATUS_H

#include <stdint.h>

#include "adbc.h"

typedef struct {
  AdbcStatusCode code;
  int32_t vendor_code;
  char message[2048];
} TrinoStatus;

/* Record a failure (printf-style) and return its code. */
AdbcStatusCode trino_fail(TrinoStatus* st, AdbcStatusCode code, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Copy a recorded failure into an AdbcError (releasing what it held); returns st->code. */
AdbcStatusCode trino_export_error(const TrinoStatus* st, struct AdbcError* error);

/* Set an AdbcError directly (printf-style) and return code. */
AdbcStatusCode trino_set_error(struct AdbcError* error, AdbcStatusCode code, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
