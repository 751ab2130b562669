/* Arrow columns built from Trino's typeSignature and JSON-encoded values. */
#ifndef TRINO_COLUMNS_H
#define TRINO_COLUMNS_H

#include <jansson.h>
#include <stdint.h>

#include "status.h"

typedef enum {
  COL_BOOL, COL_INT8, COL_INT16, COL_INT32, COL_INT64, COL_FLOAT32, COL_FLOAT64, COL_DECIMAL,
  COL_STRING, COL_TEXT, COL_BINARY, COL_DATE, COL_TIME, COL_TIMESTAMP, COL_TIMESTAMP_TZ,
  COL_LIST, COL_MAP, COL_STRUCT
} ColumnKind;

typedef struct {
  uint8_t* data;
  size_t length;
  size_t capacity;
} Buffer;

typedef struct Column {
  ColumnKind kind;
  char* name;
  char* trino_type; /* the rawType, for messages */
  int precision, scale;
  int nullable;
  int64_t length, null_count;
  Buffer validity, values, offsets;
  struct Column** children;
  int n_children;
} Column;

/* A column for one Trino typeSignature (COL_TEXT for types Arrow gets as text). */
Column* column_from_signature(const char* name, json_t* signature, TrinoStatus* st);
void column_free(Column* column);

/* The non-null struct column of a result: one field per entry of Trino's `columns` array. */
Column* column_for_result(json_t* columns, TrinoStatus* st);

/* Append one JSON value (null allowed); a type mismatch fails with the column name and row. */
AdbcStatusCode column_append(Column* column, json_t* value, TrinoStatus* st);

/* The schema of a column (recursively). */
AdbcStatusCode column_schema(const Column* column, struct ArrowSchema* out, TrinoStatus* st);

/* Move the values appended so far into an ArrowArray; the column starts empty again. */
AdbcStatusCode column_finish(Column* column, struct ArrowArray* out, TrinoStatus* st);

/* Arrow structures that own what they are given (malloc'd buffers, and malloc'd children that
   are released with them), even when these calls fail. */
AdbcStatusCode arrow_array_own(struct ArrowArray* out, int64_t length, int n_buffers, void** buffers,
                               int n_children, struct ArrowArray** children, TrinoStatus* st);
AdbcStatusCode arrow_schema_own(struct ArrowSchema* out, const char* format, const char* name, int64_t flags,
                                int n_children, struct ArrowSchema** children, TrinoStatus* st);

#endif
