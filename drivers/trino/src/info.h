/* AdbcConnectionGetInfo: the vendor's and the driver's names and versions. */
#ifndef TRINO_INFO_H
#define TRINO_INFO_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#ifndef TRINO_DRIVER_VERSION
#error "build with -DTRINO_DRIVER_VERSION=... (the Makefile takes it from pyproject.toml)"
#endif

AdbcStatusCode trino_get_info(const uint32_t* codes, size_t n_codes, struct ArrowArrayStream* out, TrinoStatus* st);

#endif
