#!/usr/bin/env bash
# Regenerate the official driver repository shipped inside fusion-core:
#   core/src/fusion/trust/official/1.root.json   root v1 (kept as it is unless --new-root)
#   core/src/fusion/trust/official/index.json    the signed index (version = previous + 1)
#
# usage: signing/release/make_official.sh [--new-root] [--out DIR] [--site DIR] [KEYS_DIR]
#   KEYS_DIR   holds root-1..3.pem/.pub and index-1.pem/.pub (default: ../shared/keys/official,
#              relative to the repository's top folder). Keys are read in place, never copied.
#   --new-root write a new root v1 as well. Only before the first release: root v1 is pinned by
#              its sha256 in every installed fusion-core, so once shipped it never changes
#              (rotate with `fusion-repo rotate-root` instead).
#   --out DIR  write there instead of core/src/fusion/trust/official (e.g. to try a release).
#   --site DIR the whole static repository (root/, index.json, blobs/) to upload to the host the
#              official repository's `https` artifacts come from (default: dist/official-site).
#
# Fusion's own drivers (drivers/trino) are built here from source with `make` and signed as
# `https` artifacts: their libraries go to the site's blobs/, which must be uploaded before the
# new index ships (until then users install them from a repository of their own, see
# drivers/trino/README.md).
#
# The wheels are downloaded with pip as configured for the user running this script, for
# CPython 3.11 on this machine (x86_64 Linux); every library is cross-checked against its
# wheel's RECORD, its entrypoint is checked with `nm -D`, and the result is verified with
# `fusion-repo verify` against the downloaded wheels before anything is written.
set -euo pipefail

NEW_ROOT=0
KEYS=""
OUT=""
SITE=""
while [ $# -gt 0 ]; do
    case "$1" in
        --new-root) NEW_ROOT=1 ;;
        --out) OUT="${2:?--out needs a folder}"; shift ;;
        --site) SITE="${2:?--site needs a folder}"; shift ;;
        -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
        -*) echo "make_official.sh: unknown option $1" >&2; exit 2 ;;
        *) KEYS="$1" ;;
    esac
    shift
done

TOP="$(cd "$(dirname "$0")/../.." && pwd)"
KEYS="$(cd "${KEYS:-$TOP/../shared/keys/official}" && pwd)"
OUT="${OUT:-$TOP/core/src/fusion/trust/official}"
SITE="${SITE:-$TOP/dist/official-site}"
ROOT_DAYS=1826    # 5 years (one leap day included)
INDEX_DAYS=400

if [ -x "$TOP/.venv/bin/fusion-repo" ]; then
    BIN="$TOP/.venv/bin"
else
    BIN="$(dirname "$(command -v fusion-repo)")"
fi
REPO_TOOL="$BIN/fusion-repo"
PYTHON="$BIN/python"

"$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
    || { echo "make_official.sh: run with a Python 3.11 environment (duckdb's library is a cp311 extension)" >&2; exit 2; }
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] \
    || { echo "make_official.sh: run on x86_64 Linux (the index lists linux_amd64 wheels)" >&2; exit 2; }
command -v nm >/dev/null || { echo "make_official.sh: nm (binutils) is needed to check entrypoints" >&2; exit 2; }
for key in root-1 root-2 root-3 index-1; do
    [ -r "$KEYS/$key.pem" ] && [ -r "$KEYS/$key.pub" ] \
        || { echo "make_official.sh: $KEYS/$key.pem and .pub are needed" >&2; exit 2; }
done

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
REPO="$STAGE/official"
WHEELS="$STAGE/wheels"

if [ "$NEW_ROOT" = 1 ] || [ ! -f "$OUT/1.root.json" ]; then
    "$REPO_TOOL" init "$REPO" --name official \
        --root-key "$KEYS/root-1.pem" --root-key "$KEYS/root-2.pem" --root-key "$KEYS/root-3.pem" \
        --root-threshold 2 --index-key "$KEYS/index-1.pub" --index-threshold 1 --expires-days "$ROOT_DAYS"
else
    # keep the shipped roots and the last signed index (the new index's version goes above it)
    mkdir -p "$REPO/root"
    cp "$OUT"/*.root.json "$REPO/root/"
    [ -f "$OUT/index.json" ] && cp "$OUT/index.json" "$REPO/index.json"
    "$PYTHON" -c 'import sys; from fusion_signing.repository import Repository, empty_index
Repository(sys.argv[1]).write_unsigned(empty_index("official"))' "$REPO"
fi

# name      version wheel                          member (path inside the wheel)                        entrypoint               platform          license    minimum
DRIVERS="
duckdb     2.0.1  duckdb==2.0.1                  _duckdb.cpython-311-x86_64-linux-gnu.so               duckdb_adbc_init         linux_amd64_cp311 MIT        1.1
postgresql 1.13.0 adbc-driver-postgresql==1.13.0 adbc_driver_postgresql/libadbc_driver_postgresql.so   AdbcDriverPostgresqlInit linux_amd64       Apache-2.0 -
sqlite     1.13.0 adbc-driver-sqlite==1.13.0     adbc_driver_sqlite/libadbc_driver_sqlite.so           AdbcDriverSqliteInit     linux_amd64       Apache-2.0 -
snowflake  1.11.0 adbc-driver-snowflake==1.11.0  adbc_driver_snowflake/libadbc_driver_snowflake.so     AdbcDriverSnowflakeInit  linux_amd64       Apache-2.0 -
bigquery   1.11.0 adbc-driver-bigquery==1.11.0   adbc_driver_bigquery/libadbc_driver_bigquery.so       AdbcDriverBigQueryInit   linux_amd64       Apache-2.0 -
flightsql  1.13.0 adbc-driver-flightsql==1.13.0  adbc_driver_flightsql/libadbc_driver_flightsql.so     AdbcDriverFlightSQLInit  linux_amd64       Apache-2.0 -
spark      0.3.0  adbc-driver-spark==0.3.0       adbc_driver_spark/libadbc_driver_spark.so             AdbcDriverSparkInit      linux_amd64       Apache-2.0 -
"

while read -r name version wheel member entrypoint platform license minimum; do
    [ -n "$name" ] || continue
    extra=()
    [ "$minimum" != "-" ] && extra+=(--minimum-version "$minimum")
    "$REPO_TOOL" add-driver "$REPO" "$name" "$version" --platform "$platform" --entrypoint "$entrypoint" \
        --license "$license" --wheel "$wheel" --member "$member" --pip-python-version 3.11 \
        --download-dir "$WHEELS" "${extra[@]}" </dev/null
    # the entrypoint must be a symbol the library exports (extracted to the temp folder only for nm)
    "$PYTHON" - "$WHEELS" "$wheel" "$member" "$STAGE/lib.so" <<'PY'
import pathlib, sys, zipfile
from packaging.utils import canonicalize_name, parse_wheel_filename
folder, requirement, member, out = sys.argv[1:]
name = canonicalize_name(requirement.split("==")[0])
(wheel,) = [p for p in pathlib.Path(folder).glob("*.whl") if parse_wheel_filename(p.name)[0] == name]
pathlib.Path(out).write_bytes(zipfile.ZipFile(wheel).read(member))
PY
    nm -D --defined-only "$STAGE/lib.so" | awk '{print $NF}' >"$STAGE/symbols"
    grep -qx "$entrypoint" "$STAGE/symbols" \
        || { echo "make_official.sh: $member in $wheel does not export $entrypoint" >&2; exit 2; }
    rm -f "$STAGE/lib.so" "$STAGE/symbols"
done <<<"$DRIVERS"

# name  source folder  library (after `make` there)        entrypoint           platform    license
BUILT="
trino   drivers/trino  build/libadbc_driver_trino.so       AdbcDriverTrinoInit  linux_amd64 Apache-2.0
"

while read -r name folder library entrypoint platform license; do
    [ -n "$name" ] || continue
    make -s -C "$TOP/$folder" PYTHON="$PYTHON" >/dev/null
    version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$TOP/$folder/pyproject.toml")"
    nm -D --defined-only "$TOP/$folder/$library" | awk '{print $NF}' | grep -qx "$entrypoint" \
        || { echo "make_official.sh: $folder/$library does not export $entrypoint" >&2; exit 2; }
    "$REPO_TOOL" add-driver "$REPO" "$name" "$version" --platform "$platform" --entrypoint "$entrypoint" \
        --license "$license" --file "$TOP/$folder/$library" </dev/null
done <<<"$BUILT"

"$REPO_TOOL" sign "$REPO" --key "$KEYS/index-1.pem" --expires-days "$INDEX_DAYS"
ROOT_SHA="$(sha256sum "$REPO/root/1.root.json" | cut -d' ' -f1)"
"$REPO_TOOL" verify "$REPO" --root-sha256 "$ROOT_SHA" --wheel-dir "$WHEELS"

rm -rf "$SITE"
mkdir -p "$SITE" "$OUT"
cp -R "$REPO/root" "$REPO/index.json" "$REPO/blobs" "$SITE/"
"$REPO_TOOL" verify "$SITE" --root-sha256 "$ROOT_SHA" >/dev/null
cp "$REPO/root/1.root.json" "$OUT/1.root.json"
cp "$REPO/index.json" "$OUT/index.json"
echo "wrote $OUT/1.root.json (sha256 $ROOT_SHA) and $OUT/index.json"
echo "wrote $SITE: upload it to the official repository's host (its blobs/ hold the drivers built here)"
