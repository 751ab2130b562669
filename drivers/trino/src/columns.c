#include "columns.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "values.h"

#define MAX_TYPE_DEPTH 32

/* --- buffers --------------------------------------------------------------------------------- */

static int buf_reserve(Buffer* b, size_t extra) {
  if (b->length + extra <= b->capacity) return 0;
  size_t capacity = b->capacity ? b->capacity : 64;
  while (capacity < b->length + extra) capacity *= 2;
  uint8_t* data = realloc(b->data, capacity);
  if (!data) return -1;
  memset(data + b->capacity, 0, capacity - b->capacity);
  b->data = data;
  b->capacity = capacity;
  return 0;
}

static int buf_append(Buffer* b, const void* bytes, size_t size) {
  if (buf_reserve(b, size)) return -1;
  if (size) memcpy(b->data + b->length, bytes, size);
  b->length += size;
  return 0;
}

/* Set bit `index` of a bitmap to `on` (the bitmap grows, zero-filled, as needed). */
static int bit_set(Buffer* b, int64_t index, int on) {
  size_t bytes = (size_t)(index / 8 + 1);
  if (bytes > b->length) {
    if (buf_reserve(b, bytes - b->length)) return -1;
    b->length = bytes;
  }
  if (on) b->data[index / 8] |= (uint8_t)(1u << (index % 8));
  return 0;
}

/* --- columns from typeSignature --------------------------------------------------------------- */

static const struct {
  const char* raw;
  ColumnKind kind;
} SIMPLE[] = {
    {"boolean", COL_BOOL},   {"tinyint", COL_INT8},     {"smallint", COL_INT16}, {"integer", COL_INT32},
    {"bigint", COL_INT64},   {"real", COL_FLOAT32},     {"double", COL_FLOAT64}, {"varchar", COL_STRING},
    {"char", COL_STRING},    {"varbinary", COL_BINARY}, {"date", COL_DATE},      {"time", COL_TIME},
    {"timestamp", COL_TIMESTAMP}, {"timestamp with time zone", COL_TIMESTAMP_TZ},
};

static Column* new_column(const char* name, const char* raw, ColumnKind kind) {
  Column* c = calloc(1, sizeof(Column));
  if (!c) return NULL;
  c->name = strdup(name);
  c->trino_type = strdup(raw);
  c->kind = kind;
  c->nullable = 1;
  if (!c->name || !c->trino_type) {
    column_free(c);
    return NULL;
  }
  return c;
}

static int add_child(Column* parent, Column* child) {
  Column** children = realloc(parent->children, sizeof(Column*) * (size_t)(parent->n_children + 1));
  if (!children) return -1;
  parent->children = children;
  parent->children[parent->n_children++] = child;
  return 0;
}

static json_t* argument(json_t* signature, size_t i, const char* kind) {
  json_t* arg = json_array_get(json_object_get(signature, "arguments"), i);
  const char* arg_kind = json_string_value(json_object_get(arg, "kind"));
  if (!arg_kind || strcmp(arg_kind, kind)) return NULL;
  return json_object_get(arg, "value");
}

static Column* from_signature(const char* name, json_t* signature, int depth, TrinoStatus* st);

static int add_typed_child(Column* parent, const char* name, json_t* signature, int depth, TrinoStatus* st) {
  Column* child = from_signature(name, signature, depth + 1, st);
  if (!child) return -1;
  if (add_child(parent, child)) {
    column_free(child);
    trino_fail(st, ADBC_STATUS_INTERNAL, "out of memory");
    return -1;
  }
  return 0;
}

static Column* from_signature(const char* name, json_t* signature, int depth, TrinoStatus* st) {
  const char* raw = json_string_value(json_object_get(signature, "rawType"));
  if (!raw) {
    trino_fail(st, ADBC_STATUS_INVALID_DATA, "column '%s' has no typeSignature.rawType in the server's response", name);
    return NULL;
  }
  if (depth > MAX_TYPE_DEPTH) {
    trino_fail(st, ADBC_STATUS_INVALID_DATA, "column '%s': type nested deeper than %d levels", name, MAX_TYPE_DEPTH);
    return NULL;
  }
  ColumnKind kind = COL_TEXT; /* json, uuid, intervals, time with time zone, ipaddress, ... */
  for (size_t i = 0; i < sizeof(SIMPLE) / sizeof(SIMPLE[0]); i++)
    if (!strcmp(raw, SIMPLE[i].raw)) kind = SIMPLE[i].kind;
  if (!strcmp(raw, "decimal")) kind = COL_DECIMAL;
  if (!strcmp(raw, "array")) kind = COL_LIST;
  if (!strcmp(raw, "map")) kind = COL_MAP;
  if (!strcmp(raw, "row")) kind = COL_STRUCT;
  Column* c = new_column(name, raw, kind);
  if (!c) {
    trino_fail(st, ADBC_STATUS_INTERNAL, "out of memory");
    return NULL;
  }
  int failed = 0;
  if (kind == COL_DECIMAL) {
    json_t *p = argument(signature, 0, "LONG"), *s = argument(signature, 1, "LONG");
    c->precision = (int)json_integer_value(p);
    c->scale = (int)json_integer_value(s);
    if (!json_is_integer(p) || !json_is_integer(s) || c->precision < 1 || c->precision > 38 || c->scale < 0 ||
        c->scale > c->precision) {
      trino_fail(st, ADBC_STATUS_INVALID_DATA, "column '%s': decimal type without a valid precision and scale",
                 name);
      failed = 1;
    }
  } else if (kind == COL_LIST) {
    failed = add_typed_child(c, "item", argument(signature, 0, "TYPE"), depth, st);
  } else if (kind == COL_MAP) {
    Column* entries = new_column("entries", "row", COL_STRUCT);
    failed = !entries || add_child(c, entries);
    if (failed) {
      column_free(entries);
      trino_fail(st, ADBC_STATUS_INTERNAL, "out of memory");
    } else {
      entries->nullable = 0;
      failed = add_typed_child(entries, "key", argument(signature, 0, "TYPE"), depth, st) ||
               add_typed_child(entries, "value", argument(signature, 1, "TYPE"), depth, st);
      if (!failed) entries->children[0]->nullable = 0;
    }
  } else if (kind == COL_STRUCT) {
    size_t n = json_array_size(json_object_get(signature, "arguments"));
    for (size_t i = 0; i < n && !failed; i++) {
      json_t* field = argument(signature, i, "NAMED_TYPE");
      const char* field_name = json_string_value(json_object_get(json_object_get(field, "fieldName"), "name"));
      char fallback[32];
      if (!field_name || !*field_name) {
        snprintf(fallback, sizeof(fallback), "field%zu", i);
        field_name = fallback;
      }
      failed = add_typed_child(c, field_name, json_object_get(field, "typeSignature"), depth, st);
    }
  }
  if (failed) {
    column_free(c);
    return NULL;
  }
  return c;
}

Column* column_from_signature(const char* name, json_t* signature, TrinoStatus* st) {
  return from_signature(name, signature, 0, st);
}

Column* column_for_result(json_t* columns, TrinoStatus* st) {
  if (!json_is_array(columns)) {
    trino_fail(st, ADBC_STATUS_INVALID_DATA, "'columns' in the server's response is not an array");
    return NULL;
  }
  Column* root = new_column("", "row", COL_STRUCT);
  if (!root) {
    trino_fail(st, ADBC_STATUS_INTERNAL, "out of memory");
    return NULL;
  }
  root->nullable = 0;
  for (size_t i = 0; i < json_array_size(columns); i++) {
    json_t* column = json_array_get(columns, i);
    const char* name = json_string_value(json_object_get(column, "name"));
    if (!name) {
      trino_fail(st, ADBC_STATUS_INVALID_DATA, "column %zu in the server's response has no name", i + 1);
      column_free(root);
      return NULL;
    }
    if (add_typed_child(root, name, json_object_get(column, "typeSignature"), 0, st)) {
      column_free(root);
      return NULL;
    }
  }
  return root;
}

void column_free(Column* c) {
  if (!c) return;
  for (int i = 0; i < c->n_children; i++) column_free(c->children[i]);
  free(c->children);
  free(c->validity.data);
  free(c->values.data);
  free(c->offsets.data);
  free(c->name);
  free(c->trino_type);
  free(c);
}

/* --- appending values ------------------------------------------------------------------------- */

static const char* json_kind(json_t* v) {
  switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
  }
}

static AdbcStatusCode mismatch(Column* c, json_t* v, const char* expected, TrinoStatus* st) {
  const char* text = json_string_value(v);
  return trino_fail(st, ADBC_STATUS_INVALID_DATA, "column '%s' of type %s: expected %s, got %s%s%.40s%s", c->name,
                    c->trino_type, expected, json_kind(v), text ? " \"" : "", text ? text : "", text ? "\"" : "");
}

static AdbcStatusCode oom(TrinoStatus* st) { return trino_fail(st, ADBC_STATUS_INTERNAL, "out of memory"); }

static size_t fixed_width(ColumnKind kind) {
  switch (kind) {
    case COL_INT8: return 1;
    case COL_INT16: return 2;
    case COL_INT32:
    case COL_FLOAT32:
    case COL_DATE: return 4;
    case COL_INT64:
    case COL_FLOAT64:
    case COL_TIME:
    case COL_TIMESTAMP:
    case COL_TIMESTAMP_TZ: return 8;
    case COL_DECIMAL: return 16;
    default: return 0;
  }
}

static int has_offsets(ColumnKind kind) {
  return kind == COL_STRING || kind == COL_TEXT || kind == COL_BINARY || kind == COL_LIST || kind == COL_MAP;
}

static AdbcStatusCode push_offset(Column* c, size_t end, TrinoStatus* st) {
  if (end > INT32_MAX) return trino_fail(st, ADBC_STATUS_INVALID_DATA, "column '%s': a page holds over 2 GiB", c->name);
  int32_t offset = (int32_t)end;
  return buf_append(&c->offsets, &offset, sizeof(offset)) ? oom(st) : ADBC_STATUS_OK;
}

static size_t child_length(Column* c) {
  return c->kind == COL_LIST || c->kind == COL_MAP ? (size_t)c->children[0]->length : c->values.length;
}

static AdbcStatusCode append_null(Column* c, TrinoStatus* st) {
  if (!c->nullable) return trino_fail(st, ADBC_STATUS_INVALID_DATA, "column '%s': null where a value is required",
                                      c->name);
  if (bit_set(&c->validity, c->length, 0)) return oom(st);
  size_t width = fixed_width(c->kind);
  if (width && buf_reserve(&c->values, width)) return oom(st);
  c->values.length += width;
  if (c->kind == COL_BOOL && bit_set(&c->values, c->length, 0)) return oom(st);
  if (has_offsets(c->kind) && push_offset(c, child_length(c), st)) return st->code;
  if (c->kind == COL_STRUCT)
    for (int i = 0; i < c->n_children; i++) {
      int nullable = c->children[i]->nullable;
      c->children[i]->nullable = 1; /* a null row's fields are placeholders */
      AdbcStatusCode code = append_null(c->children[i], st);
      c->children[i]->nullable = nullable;
      if (code) return code;
    }
  c->null_count++;
  return ADBC_STATUS_OK;
}

static AdbcStatusCode append_integer(Column* c, json_t* v, TrinoStatus* st) {
  if (!json_is_integer(v)) return mismatch(c, v, "an integer", st);
  json_int_t x = json_integer_value(v);
  int8_t i8 = (int8_t)x;
  int16_t i16 = (int16_t)x;
  int32_t i32 = (int32_t)x;
  int64_t i64 = (int64_t)x;
  const void* bytes = &i64;
  size_t width = fixed_width(c->kind);
  if (c->kind == COL_INT8) bytes = &i8;
  if (c->kind == COL_INT16) bytes = &i16;
  if (c->kind == COL_INT32) bytes = &i32;
  if ((c->kind == COL_INT8 && x != i8) || (c->kind == COL_INT16 && x != i16) || (c->kind == COL_INT32 && x != i32))
    return trino_fail(st, ADBC_STATUS_INVALID_DATA, "column '%s' of type %s: %" JSON_INTEGER_FORMAT " is out of range",
                      c->name, c->trino_type, x);
  return buf_append(&c->values, bytes, width) ? oom(st) : ADBC_STATUS_OK;
}

static AdbcStatusCode append_float(Column* c, json_t* v, TrinoStatus* st) {
  double x;
  const char* text = json_string_value(v);
  if (json_is_number(v)) x = json_number_value(v);
  else if (text && !strcmp(text, "NaN")) x = NAN;
  else if (text && !strcmp(text, "Infinity")) x = INFINITY;
  else if (text && !strcmp(text, "-Infinity")) x = -INFINITY;
  else return mismatch(c, v, "a number, NaN or Infinity", st);
  float f = (float)x;
  int failed = c->kind == COL_FLOAT32 ? buf_append(&c->values, &f, sizeof(f)) : buf_append(&c->values, &x, sizeof(x));
  return failed ? oom(st) : ADBC_STATUS_OK;
}

static AdbcStatusCode append_bytes(Column* c, const void* bytes, size_t size, TrinoStatus* st) {
  if (buf_append(&c->values, bytes, size)) return oom(st);
  return push_offset(c, c->values.length, st);
}

static AdbcStatusCode append_text(Column* c, json_t* v, TrinoStatus* st) {
  if (json_is_string(v)) return append_bytes(c, json_string_value(v), json_string_length(v), st);
  if (c->kind == COL_STRING) return mismatch(c, v, "a string", st);
  char* text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY); /* other types: their JSON text */
  if (!text) return oom(st);
  AdbcStatusCode code = append_bytes(c, text, strlen(text), st);
  free(text);
  return code;
}

static AdbcStatusCode append_parsed(Column* c, json_t* v, TrinoStatus* st) {
  const char* text = json_string_value(v);
  if (!text) return mismatch(c, v, "a string", st);
  int failed = 0;
  if (c->kind == COL_DECIMAL) {
    __int128 value;
    failed = parse_decimal(text, c->precision, c->scale, &value) || buf_append(&c->values, &value, sizeof(value));
  } else if (c->kind == COL_DATE) {
    int32_t days;
    failed = parse_date(text, &days) || buf_append(&c->values, &days, sizeof(days));
  } else if (c->kind == COL_TIME) {
    int64_t micros;
    failed = parse_time(text, &micros) || buf_append(&c->values, &micros, sizeof(micros));
  } else if (c->kind == COL_TIMESTAMP) {
    int64_t micros;
    failed = parse_timestamp(text, &micros, NULL) || buf_append(&c->values, &micros, sizeof(micros));
  } else if (c->kind == COL_TIMESTAMP_TZ) {
    int64_t micros, offset;
    const char* zone;
    failed = parse_timestamp(text, &micros, &zone) || *zone++ != ' ';
    if (!failed && parse_zone_offset(zone, &offset))
      return trino_fail(st, ADBC_STATUS_NOT_IMPLEMENTED,
                        "column '%s': time zone '%.64s' is not supported (only UTC and +hh:mm offsets): "
                        "convert with AT TIME ZONE 'UTC' in the query",
                        c->name, zone);
    micros -= failed ? 0 : offset;
    failed = failed || buf_append(&c->values, &micros, sizeof(micros));
  } else {  /* COL_BINARY */
    uint8_t* bytes;
    size_t size;
    if (decode_base64(text, &bytes, &size)) return mismatch(c, v, "base64 text", st);
    AdbcStatusCode code = append_bytes(c, bytes, size, st);
    free(bytes);
    return code;
  }
  return failed ? mismatch(c, v, "a value in Trino's text format", st) : ADBC_STATUS_OK;
}

/* A map key arrives as JSON object key text; numbers and booleans are converted back. */
static json_t* key_value(Column* key, const char* text) {
  char* end;
  switch (key->kind) {
    case COL_INT8:
    case COL_INT16:
    case COL_INT32:
    case COL_INT64: {
      long long x = strtoll(text, &end, 10);
      return *text && !*end ? json_integer(x) : json_string(text);
    }
    case COL_FLOAT32:
    case COL_FLOAT64: {
      double x = strtod(text, &end);
      return *text && !*end ? json_real(x) : json_string(text);
    }
    case COL_BOOL:
      return !strcmp(text, "true") ? json_true() : !strcmp(text, "false") ? json_false() : json_string(text);
    default:
      return json_string(text);
  }
}

static AdbcStatusCode append_nested(Column* c, json_t* v, TrinoStatus* st) {
  if (c->kind == COL_LIST) {
    if (!json_is_array(v)) return mismatch(c, v, "an array", st);
    for (size_t i = 0; i < json_array_size(v); i++)
      if (column_append(c->children[0], json_array_get(v, i), st)) return st->code;
    return push_offset(c, (size_t)c->children[0]->length, st);
  }
  if (c->kind == COL_MAP) {
    if (!json_is_object(v)) return mismatch(c, v, "an object", st);
    Column* entries = c->children[0];
    const char* key;
    json_t* value;
    json_object_foreach(v, key, value) {
      json_t* k = key_value(entries->children[0], key);
      if (!k) return oom(st);
      AdbcStatusCode code = column_append(entries->children[0], k, st);
      json_decref(k);
      if (code || column_append(entries->children[1], value, st)) return st->code;
      if (bit_set(&entries->validity, entries->length++, 1)) return oom(st);
    }
    return push_offset(c, (size_t)entries->length, st);
  }
  if (!json_is_array(v)) return mismatch(c, v, "an array of the row's fields", st);
  if (json_array_size(v) != (size_t)c->n_children)
    return trino_fail(st, ADBC_STATUS_INVALID_DATA, "%s%s%s has %zu values where %d fields were announced",
                      c->name[0] ? "column '" : "the row", c->name, c->name[0] ? "'" : "", json_array_size(v),
                      c->n_children);
  for (int i = 0; i < c->n_children; i++)
    if (column_append(c->children[i], json_array_get(v, (size_t)i), st)) return st->code;
  return ADBC_STATUS_OK;
}

AdbcStatusCode column_append(Column* c, json_t* v, TrinoStatus* st) {
  if (has_offsets(c->kind) && c->offsets.length == 0 && push_offset(c, 0, st)) return st->code;
  AdbcStatusCode code;
  if (!v || json_is_null(v)) return append_null(c, st) ? st->code : (c->length++, ADBC_STATUS_OK);
  switch (c->kind) {
    case COL_BOOL:
      if (!json_is_boolean(v)) return mismatch(c, v, "a boolean", st);
      code = bit_set(&c->values, c->length, json_is_true(v)) ? oom(st) : ADBC_STATUS_OK;
      break;
    case COL_INT8:
    case COL_INT16:
    case COL_INT32:
    case COL_INT64: code = append_integer(c, v, st); break;
    case COL_FLOAT32:
    case COL_FLOAT64: code = append_float(c, v, st); break;
    case COL_STRING:
    case COL_TEXT: code = append_text(c, v, st); break;
    case COL_LIST:
    case COL_MAP:
    case COL_STRUCT: code = append_nested(c, v, st); break;
    default: code = append_parsed(c, v, st); break;
  }
  if (code) return code;
  if (bit_set(&c->validity, c->length, 1)) return oom(st);
  c->length++;
  return ADBC_STATUS_OK;
}

/* --- export to the Arrow C Data Interface ----------------------------------------------------- */

static const char* format_of(const Column* c, char* scratch, size_t size) {
  switch (c->kind) {
    case COL_BOOL: return "b";
    case COL_INT8: return "c";
    case COL_INT16: return "s";
    case COL_INT32: return "i";
    case COL_INT64: return "l";
    case COL_FLOAT32: return "f";
    case COL_FLOAT64: return "g";
    case COL_DECIMAL: snprintf(scratch, size, "d:%d,%d", c->precision, c->scale); return scratch;
    case COL_STRING:
    case COL_TEXT: return "u";
    case COL_BINARY: return "z";
    case COL_DATE: return "tdD";
    case COL_TIME: return "ttu";
    case COL_TIMESTAMP: return "tsu:";
    case COL_TIMESTAMP_TZ: return "tsu:UTC";
    case COL_LIST: return "+l";
    case COL_MAP: return "+m";
    default: return "+s";
  }
}

static void release_schema(struct ArrowSchema* schema) {
  for (int64_t i = 0; i < schema->n_children; i++) {
    if (schema->children[i]->release) schema->children[i]->release(schema->children[i]);
    free(schema->children[i]);
  }
  free(schema->children);
  free((void*)schema->format);
  free((void*)schema->name);
  schema->release = NULL;
}

AdbcStatusCode column_schema(const Column* c, struct ArrowSchema* out, TrinoStatus* st) {
  char scratch[32];
  memset(out, 0, sizeof(*out));
  out->format = strdup(format_of(c, scratch, sizeof(scratch)));
  out->name = strdup(c->name);
  out->flags = c->nullable ? ARROW_FLAG_NULLABLE : 0;
  out->release = release_schema;
  out->children = calloc((size_t)c->n_children + 1, sizeof(struct ArrowSchema*));
  if (!out->format || !out->name || !out->children) {
    release_schema(out);
    return oom(st);
  }
  for (int i = 0; i < c->n_children; i++) {
    out->children[i] = malloc(sizeof(struct ArrowSchema));
    AdbcStatusCode code = out->children[i] ? column_schema(c->children[i], out->children[i], st) : oom(st);
    if (code) {
      free(out->children[i]);
      release_schema(out);
      return code;
    }
    out->n_children++;
  }
  return ADBC_STATUS_OK;
}

typedef struct {
  void* buffers[3];
} ArrayPrivate;

static void release_array(struct ArrowArray* array) {
  ArrayPrivate* owned = array->private_data;
  for (int64_t i = 0; i < array->n_children; i++) {
    if (array->children[i]->release) array->children[i]->release(array->children[i]);
    free(array->children[i]);
  }
  free(array->children);
  for (int i = 0; i < 3; i++) free(owned->buffers[i]);
  free(owned);
  free((void*)array->buffers);
  array->release = NULL;
}

/* Hand a buffer's memory over (never NULL: Arrow readers expect data even for empty arrays). */
static void* take(Buffer* b) {
  if (!b->data) buf_reserve(b, 8);
  void* data = b->data;
  memset(b, 0, sizeof(*b));
  return data;
}

AdbcStatusCode column_finish(Column* c, struct ArrowArray* out, TrinoStatus* st) {
  memset(out, 0, sizeof(*out));
  if (has_offsets(c->kind) && c->offsets.length == 0 && push_offset(c, 0, st)) return st->code;
  ArrayPrivate* owned = calloc(1, sizeof(ArrayPrivate));
  const void** buffers = calloc(3, sizeof(void*));
  struct ArrowArray** children = calloc((size_t)c->n_children + 1, sizeof(struct ArrowArray*));
  if (!owned || !buffers || !children) {
    free(owned);
    free(buffers);
    free(children);
    return oom(st);
  }
  out->length = c->length;
  out->null_count = c->null_count;
  out->private_data = owned;
  out->buffers = buffers;
  out->children = children;
  out->release = release_array;
  if (c->null_count) owned->buffers[0] = take(&c->validity);
  else free(take(&c->validity));
  out->n_buffers = 1;
  if (c->kind == COL_STRING || c->kind == COL_TEXT || c->kind == COL_BINARY) {
    owned->buffers[1] = take(&c->offsets);
    owned->buffers[2] = take(&c->values);
    out->n_buffers = 3;
  } else if (c->kind == COL_LIST || c->kind == COL_MAP) {
    owned->buffers[1] = take(&c->offsets);
    out->n_buffers = 2;
  } else if (c->kind != COL_STRUCT) {
    owned->buffers[1] = take(&c->values);
    out->n_buffers = 2;
  }
  for (int i = 0; i < 3; i++) buffers[i] = owned->buffers[i];
  if ((out->n_buffers > 1 && !buffers[1]) || (out->n_buffers > 2 && !buffers[2])) {
    release_array(out);
    return oom(st);
  }
  c->length = c->null_count = 0;
  for (int i = 0; i < c->n_children; i++) {
    children[i] = malloc(sizeof(struct ArrowArray));
    AdbcStatusCode code = children[i] ? column_finish(c->children[i], children[i], st) : oom(st);
    if (code) {
      free(children[i]);
      children[i] = NULL;
      release_array(out);
      return code;
    }
    out->n_children++;
  }
  return ADBC_STATUS_OK;
}

AdbcStatusCode arrow_array_own(struct ArrowArray* out, int64_t length, int n_buffers, void** buffers,
                               int n_children, struct ArrowArray** children, TrinoStatus* st) {
  memset(out, 0, sizeof(*out));
  ArrayPrivate* owned = calloc(1, sizeof(ArrayPrivate));
  const void** pointers = calloc(3, sizeof(void*));
  struct ArrowArray** kids = calloc((size_t)n_children + 1, sizeof(struct ArrowArray*));
  out->release = release_array;
  out->private_data = owned;
  out->buffers = pointers;
  out->children = kids;
  int failed = !owned || !pointers || !kids;
  for (int i = 0; i < n_buffers; i++) {
    if (owned) owned->buffers[i] = buffers[i];
    else free(buffers[i]);
    if (pointers) pointers[i] = buffers[i];
  }
  for (int i = 0; i < n_children; i++) {
    if (kids) kids[i] = children[i];
    else {
      children[i]->release(children[i]);
      free(children[i]);
    }
  }
  if (failed) {
    free(owned);
    free(pointers);
    free(kids);
    memset(out, 0, sizeof(*out));
    return oom(st);
  }
  out->length = length;
  out->n_buffers = n_buffers;
  out->n_children = n_children;
  return ADBC_STATUS_OK;
}

AdbcStatusCode arrow_schema_own(struct ArrowSchema* out, const char* format, const char* name, int64_t flags,
                                int n_children, struct ArrowSchema** children, TrinoStatus* st) {
  memset(out, 0, sizeof(*out));
  out->format = strdup(format);
  out->name = strdup(name);
  out->flags = flags;
  out->release = release_schema;
  out->children = calloc((size_t)n_children + 1, sizeof(struct ArrowSchema*));
  for (int i = 0; i < n_children; i++) {
    if (out->children) out->children[out->n_children++] = children[i];
    else {
      children[i]->release(children[i]);
      free(children[i]);
    }
  }
  if (!out->format || !out->name || !out->children) {
    release_schema(out);
    return oom(st);
  }
  return ADBC_STATUS_OK;
}
