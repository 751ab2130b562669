#include "info.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"

/* The value union's members, in ADBC's order (type ids 0..5). */
static const char* VALUE_TYPES =
    "{\"rawType\": \"row\", \"arguments\": ["
    "{\"kind\": \"NAMED_TYPE\", \"value\": {\"fieldName\": {\"name\": \"string_value\"}, \"typeSignature\": {\"rawType\": \"varchar\"}}},"
    "{\"kind\": \"NAMED_TYPE\", \"value\": {\"fieldName\": {\"name\": \"bool_value\"}, \"typeSignature\": {\"rawType\": \"boolean\"}}},"
    "{\"kind\": \"NAMED_TYPE\", \"value\": {\"fieldName\": {\"name\": \"int64_value\"}, \"typeSignature\": {\"rawType\": \"bigint\"}}},"
    "{\"kind\": \"NAMED_TYPE\", \"value\": {\"fieldName\": {\"name\": \"int32_bitmask\"}, \"typeSignature\": {\"rawType\": \"integer\"}}},"
    "{\"kind\": \"NAMED_TYPE\", \"value\": {\"fieldName\": {\"name\": \"string_list\"}, \"typeSignature\": "
    "{\"rawType\": \"array\", \"arguments\": [{\"kind\": \"TYPE\", \"value\": {\"rawType\": \"varchar\"}}]}}},"
    "{\"kind\": \"NAMED_TYPE\", \"value\": {\"fieldName\": {\"name\": \"int32_to_int32_list_map\"}, \"typeSignature\": "
    "{\"rawType\": \"map\", \"arguments\": [{\"kind\": \"TYPE\", \"value\": {\"rawType\": \"integer\"}}, {\"kind\": "
    "\"TYPE\", \"value\": {\"rawType\": \"array\", \"arguments\": [{\"kind\": \"TYPE\", \"value\": {\"rawType\": "
    "\"integer\"}}]}}]}}}]}";

enum { STRING_VALUE = 0, INT64_VALUE = 2 };

static const struct {
  uint32_t code;
  int8_t type;
  const char* text;
  int64_t number;
} INFO[] = {
    {ADBC_INFO_VENDOR_NAME, STRING_VALUE, "Trino", 0},
    {ADBC_INFO_DRIVER_NAME, STRING_VALUE, "Fusion ADBC driver for Trino", 0},
    {ADBC_INFO_DRIVER_VERSION, STRING_VALUE, TRINO_DRIVER_VERSION, 0},
    {ADBC_INFO_DRIVER_ADBC_VERSION, INT64_VALUE, NULL, ADBC_VERSION_1_1_0},
};
#define N_INFO (sizeof(INFO) / sizeof(INFO[0]))

static Column* value_columns(TrinoStatus* st) {
  json_t* signature = json_loads(VALUE_TYPES, 0, NULL);
  Column* values = signature ? column_from_signature("info_value", signature, st) : NULL;
  json_decref(signature);
  if (!values && !st->code) trino_fail(st, ADBC_STATUS_INTERNAL, "out of memory");
  return values;
}

static AdbcStatusCode info_schema(struct ArrowSchema* out, TrinoStatus* st) {
  Column* values = value_columns(st);
  if (!values) return st->code;
  struct ArrowSchema* members[6] = {0};
  AdbcStatusCode code = ADBC_STATUS_OK;
  int n = 0;
  for (; n < values->n_children && !code; n++) {
    members[n] = malloc(sizeof(struct ArrowSchema));
    code = members[n] ? column_schema(values->children[n], members[n], st) : trino_fail(st, ADBC_STATUS_INTERNAL, "out of memory");
    if (code) free(members[n]);
  }
  column_free(values);
  if (code) {
    for (int i = 0; i < n - 1; i++) {
      members[i]->release(members[i]);
      free(members[i]);
    }
    return code;
  }
  struct ArrowSchema* fields[2] = {malloc(sizeof(struct ArrowSchema)), malloc(sizeof(struct ArrowSchema))};
  if (!fields[0] || !fields[1]) {
    free(fields[0]);
    free(fields[1]);
    for (int i = 0; i < 6; i++) {
      members[i]->release(members[i]);
      free(members[i]);
    }
    return trino_fail(st, ADBC_STATUS_INTERNAL, "out of memory");
  }
  if (arrow_schema_own(fields[0], "I", "info_name", 0, 0, NULL, st) |
      arrow_schema_own(fields[1], "+ud:0,1,2,3,4,5", "info_value", ARROW_FLAG_NULLABLE, 6, members, st)) {
    if (fields[0]->release) fields[0]->release(fields[0]);
    if (fields[1]->release) fields[1]->release(fields[1]);
    free(fields[0]);
    free(fields[1]);
    return st->code;
  }
  return arrow_schema_own(out, "+s", "", 0, 2, fields, st);
}

static AdbcStatusCode info_array(const uint32_t* codes, size_t n_codes, struct ArrowArray* out, TrinoStatus* st) {
  Column* values = value_columns(st);
  if (!values) return st->code;
  uint32_t* names = malloc(N_INFO * sizeof(uint32_t));
  int8_t* types = malloc(N_INFO);
  int32_t* offsets = malloc(N_INFO * sizeof(int32_t));
  struct ArrowArray* members[6] = {0};
  int64_t rows = 0;
  AdbcStatusCode code = names && types && offsets ? ADBC_STATUS_OK : trino_fail(st, ADBC_STATUS_INTERNAL, "out of memory");
  for (size_t i = 0; i < N_INFO && !code; i++) {
    int wanted = !codes || n_codes == 0;
    for (size_t j = 0; j < n_codes && codes; j++) wanted |= codes[j] == INFO[i].code;
    if (!wanted) continue;
    Column* member = values->children[INFO[i].type];
    json_t* value = INFO[i].text ? json_string(INFO[i].text) : json_integer(INFO[i].number);
    names[rows] = INFO[i].code;
    types[rows] = INFO[i].type;
    offsets[rows++] = (int32_t)member->length;
    code = value ? column_append(member, value, st) : trino_fail(st, ADBC_STATUS_INTERNAL, "out of memory");
    json_decref(value);
  }
  for (int i = 0; i < 6 && !code; i++) {
    members[i] = malloc(sizeof(struct ArrowArray));
    code = members[i] ? column_finish(values->children[i], members[i], st) : trino_fail(st, ADBC_STATUS_INTERNAL, "out of memory");
    if (code) free(members[i]), members[i] = NULL;
  }
  column_free(values);
  if (code) {
    for (int i = 0; i < 6; i++)
      if (members[i]) members[i]->release(members[i]), free(members[i]);
    free(names), free(types), free(offsets);
    return code;
  }
  struct ArrowArray* fields[2] = {malloc(sizeof(struct ArrowArray)), malloc(sizeof(struct ArrowArray))};
  void* name_buffers[2] = {NULL, names};
  void* union_buffers[2] = {types, offsets};
  if (!fields[0] || !fields[1]) {
    free(fields[0]), free(fields[1]), free(names), free(types), free(offsets);
    for (int i = 0; i < 6; i++) members[i]->release(members[i]), free(members[i]);
    return trino_fail(st, ADBC_STATUS_INTERNAL, "out of memory");
  }
  if (arrow_array_own(fields[0], rows, 2, name_buffers, 0, NULL, st) |
      arrow_array_own(fields[1], rows, 2, union_buffers, 6, members, st)) {
    for (int i = 0; i < 2; i++)
      if (fields[i]->release) fields[i]->release(fields[i]);
    free(fields[0]), free(fields[1]);
    return st->code;
  }
  void* no_validity[1] = {NULL};
  return arrow_array_own(out, rows, 1, no_validity, 2, fields, st);
}

typedef struct {
  struct ArrowArray batch;
  int served;
  TrinoStatus status;
} InfoStream;

static int info_get_schema(struct ArrowArrayStream* stream, struct ArrowSchema* out) {
  InfoStream* state = stream->private_data;
  return info_schema(out, &state->status) ? 12 : 0;
}

static int info_get_next(struct ArrowArrayStream* stream, struct ArrowArray* out) {
  InfoStream* state = stream->private_data;
  if (state->served) {
    memset(out, 0, sizeof(*out));
  } else {
    *out = state->batch;
    state->batch.release = NULL;
    state->served = 1;
  }
  return 0;
}

static const char* info_last_error(struct ArrowArrayStream* stream) {
  InfoStream* state = stream->private_data;
  return state->status.message[0] ? state->status.message : NULL;
}

static void info_release(struct ArrowArrayStream* stream) {
  InfoStream* state = stream->private_data;
  if (state->batch.release) state->batch.release(&state->batch);
  free(state);
  stream->release = NULL;
}

AdbcStatusCode trino_get_info(const uint32_t* codes, size_t n_codes, struct ArrowArrayStream* out, TrinoStatus* st) {
  InfoStream* state = calloc(1, sizeof(InfoStream));
  if (!state) return trino_fail(st, ADBC_STATUS_INTERNAL, "out of memory");
  AdbcStatusCode code = info_array(codes, n_codes, &state->batch, st);
  if (code) {
    free(state);
    return code;
  }
  out->get_schema = info_get_schema;
  out->get_next = info_get_next;
  out->get_last_error = info_last_error;
  out->release = info_release;
  out->private_data = state;
  return ADBC_STATUS_OK;
}
