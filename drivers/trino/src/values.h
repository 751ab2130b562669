/* Trino's text encodings of values (client protocol) parsed into Arrow's physical values. */
#ifndef TRINO_VALUES_H
#define TRINO_VALUES_H

#include <stddef.h>
#include <stdint.h>

/* Each returns 0 on success, -1 when the text is not in Trino's format. */
int parse_decimal(const char* text, int precision, int scale, __int128* out);
int parse_date(const char* text, int32_t* days);
int parse_time(const char* text, int64_t* micros);
int parse_timestamp(const char* text, int64_t* micros, const char** rest);
int parse_zone_offset(const char* zone, int64_t* offset_micros);
/* Decoded bytes in a malloc'd buffer (caller frees) and their length. */
int decode_base64(const char* text, uint8_t** out, size_t* length);

#endif
