#include "values.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int parse_decimal(const char* text, int precision, int scale, __int128* out) {
  const char* p = text;
  int negative = 0;
  if (*p == '-' || *p == '+') negative = *p++ == '-';
  __int128 value = 0;
  int digits = 0, fraction = -1, saw_digit = 0;
  for (; *p; p++) {
    if (*p == '.' && fraction < 0) {
      fraction = 0;
      continue;
    }
    if (!isdigit((unsigned char)*p)) return -1;
    saw_digit = 1;
    if (fraction >= 0 && ++fraction > scale) {
      if (*p != '0') return -1; /* more fraction digits than the scale holds */
      continue;
    }
    if (value != 0 || *p != '0') digits++;
    if (digits > 38) return -1;
    value = value * 10 + (*p - '0');
  }
  if (!saw_digit) return -1;
  for (int f = fraction < 0 ? 0 : fraction; f < scale; f++) {
    value *= 10;
    if (value != 0) digits++;
  }
  if (digits > precision) return -1;
  *out = negative ? -value : value;
  return 0;
}

/* Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's civil-days method). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static const char* read_int(const char* p, int digits, int* out) {
  int value = 0;
  for (int i = 0; i < digits; i++, p++) {
    if (!isdigit((unsigned char)*p)) return NULL;
    value = value * 10 + (*p - '0');
  }
  *out = value;
  return p;
}

static const char* read_date(const char* p, int64_t* days) {
  int negative = 0;
  if (*p == '-' || *p == '+') negative = *p++ == '-';
  int64_t year = 0;
  int n = 0;
  for (; isdigit((unsigned char)*p) && n < 9; p++, n++) year = year * 10 + (*p - '0');
  int month, day;
  if (n < 4 || *p++ != '-' || !(p = read_int(p, 2, &month)) || *p++ != '-' || !(p = read_int(p, 2, &day)))
    return NULL;
  if (month < 1 || month > 12 || day < 1 || day > 31) return NULL;
  *days = days_from_civil(negative ? -year : year, (unsigned)month, (unsigned)day);
  return p;
}

/* HH:MM:SS[.fraction] -> microseconds since midnight (digits past microseconds are dropped). */
static const char* read_time(const char* p, int64_t* micros) {
  int h, m, s;
  if (!(p = read_int(p, 2, &h)) || *p++ != ':' || !(p = read_int(p, 2, &m)) || *p++ != ':' ||
      !(p = read_int(p, 2, &s)))
    return NULL;
  if (h > 23 || m > 59 || s > 59) return NULL;
  int64_t fraction = 0;
  if (*p == '.') {
    p++;
    int n = 0;
    for (; isdigit((unsigned char)*p); p++, n++)
      if (n < 6) fraction = fraction * 10 + (*p - '0');
    if (n == 0) return NULL;
    for (; n < 6; n++) fraction *= 10;
  }
  *micros = ((int64_t)h * 3600 + m * 60 + s) * 1000000 + fraction;
  return p;
}

int parse_date(const char* text, int32_t* days) {
  int64_t value;
  const char* end = read_date(text, &value);
  if (!end || *end || value < INT32_MIN || value > INT32_MAX) return -1;
  *days = (int32_t)value;
  return 0;
}

int parse_time(const char* text, int64_t* micros) {
  const char* end = read_time(text, micros);
  return end && !*end ? 0 : -1;
}

int parse_timestamp(const char* text, int64_t* micros, const char** rest) {
  int64_t days, time;
  const char* p = read_date(text, &days);
  if (!p || *p++ != ' ' || !(p = read_time(p, &time))) return -1;
  *micros = days * 86400LL * 1000000 + time;
  if (rest) *rest = p;
  else if (*p) return -1;
  return 0;
}

int parse_zone_offset(const char* zone, int64_t* offset_micros) {
  if (!strcmp(zone, "UTC") || !strcmp(zone, "Z") || !strcmp(zone, "GMT") || !strcmp(zone, "Etc/UTC") ||
      !strcmp(zone, "UCT") || !strcmp(zone, "Zulu")) {
    *offset_micros = 0;
    return 0;
  }
  const char* p = zone;
  if (!strncmp(p, "UTC", 3) || !strncmp(p, "GMT", 3)) p += 3;
  if (*p != '+' && *p != '-') return -1;
  int sign = *p++ == '-' ? -1 : 1, h, m = 0;
  if (!(p = read_int(p, 2, &h))) return -1;
  if (*p == ':') p++;
  if (*p && (!(p = read_int(p, 2, &m)) || *p)) return -1;
  if (h > 18 || m > 59) return -1;
  *offset_micros = sign * ((int64_t)h * 3600 + m * 60) * 1000000;
  return 0;
}

static int base64_digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int decode_base64(const char* text, uint8_t** out, size_t* length) {
  size_t n = strlen(text);
  if (n % 4) return -1;
  uint8_t* bytes = malloc(n / 4 * 3 + 1);
  if (!bytes) return -1;
  size_t written = 0;
  for (size_t i = 0; i < n; i += 4) {
    int d[4], pad = 0;
    for (int j = 0; j < 4; j++) {
      char c = text[i + j];
      if (c == '=' && i + 4 == n && j >= 2) {
        d[j] = 0;
        pad++;
      } else if (pad || (d[j] = base64_digit(c)) < 0) {
        free(bytes);
        return -1;
      }
    }
    uint32_t v = (uint32_t)d[0] << 18 | (uint32_t)d[1] << 12 | (uint32_t)d[2] << 6 | (uint32_t)d[3];
    bytes[written++] = (uint8_t)(v >> 16);
    if (pad < 2) bytes[written++] = (uint8_t)(v >> 8);
    if (pad < 1) bytes[written++] = (uint8_t)v;
  }
  *out = bytes;
  *length = written;
  return 0;
}
