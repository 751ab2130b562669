"""A throwaway fakesnow server (Snowflake's HTTP API over DuckDB) for tests, on 127.0.0.1 only.

It runs from its own virtualenv (``.venv-fakesnow``, see requirements-fakesnow.txt), as a child
process: ``python -m fakesnow -s --host 127.0.0.1 --port P``. Start-up waits at most ``timeout``
seconds for the port to accept connections; ``stop()`` ends the process. Every connection shares
one in-memory DuckDB, so tests keep apart by using a database of their own.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from servers import log_tail

REPO = Path(__file__).resolve().parents[2]
PYTHON = Path(os.environ.get("FUSION_FAKESNOW_PYTHON", REPO / ".venv-fakesnow" / "bin" / "python"))
HOST = "127.0.0.1"


class Unavailable(Exception):
    """The fakesnow virtualenv is not installed."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class FakesnowServer:
    process: subprocess.Popen
    port: int
    log: Path

    def target(self, database: str, schema: str, **extra) -> dict:
        """A dbt-snowflake ``profiles.yml`` target pointing at this server (through host/port/protocol)."""
        return {"type": "snowflake", "account": "fakesnow", "user": "fake", "password": "snow",
                "database": database, "schema": schema, "warehouse": "fusion_wh", "threads": 4,
                "host": HOST, "port": self.port, "protocol": "http",
                "connect_timeout": 5, "request_timeout": 5, **extra}

    def log_tail(self, lines: int = 20) -> str:
        return log_tail(self.log, lines)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.unlink(missing_ok=True)


def start(timeout: float = 30) -> FakesnowServer:
    """Start fakesnow on a free loopback port; raise ``Unavailable`` or RuntimeError."""
    if not PYTHON.is_file():
        raise Unavailable(f"fakesnow's virtualenv is missing ({PYTHON}): run `make .venv-fakesnow/bin/python`")
    for _attempt in range(3):  # the free port may be taken between choosing and binding it
        port = _free_port()
        handle, name = tempfile.mkstemp(prefix="fusion-fakesnow-", suffix=".log")
        log = Path(name)
        with os.fdopen(handle, "w") as out:
            process = subprocess.Popen([str(PYTHON), "-m", "fakesnow", "-s", "--host", HOST, "--port", str(port)],
                                       stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        server = FakesnowServer(process, port, log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            if _accepts(port):
                return server
            time.sleep(0.1)
        tail = server.log_tail()
        server.stop()
        if "address already in use" not in tail.lower():
            raise RuntimeError(f"fakesnow did not start within {timeout}s:\n{tail}")
    raise RuntimeError("fakesnow could not get a free port")
