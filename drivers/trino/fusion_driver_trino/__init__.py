"""Where the Trino ADBC driver library of this wheel is, and its entrypoint."""

from pathlib import Path

LIBRARY = Path(__file__).with_name("libadbc_driver_trino.so")
ENTRYPOINT = "AdbcDriverTrinoInit"
