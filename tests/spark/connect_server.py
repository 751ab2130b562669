"""Throwaway Spark Connect servers for tests, loopback only, stopped afterwards.

- Sail (``pysail``): ``sail spark server`` from its own virtualenv ``.venv-sail`` (made by
  ``make .venv-sail/bin/sail``; it must not share a venv with pyspark). Starts in < 1 s.
- Apache Spark's own Connect server from the ``pyspark`` wheel in ``.venv-spark`` (``make
  .venv-spark/bin/pyspark``), run in the foreground by ``spark-submit`` on Java 17
  (``local[2]``); ~10 s to start.

Each listens on a free 127.0.0.1 port, gets a bounded wait for its port at start (the process
dying early is reported with its log), and ``stop()`` ends that process (its own process group).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from servers import log_tail

REPO = Path(__file__).resolve().parents[2]
SAIL = REPO / ".venv-sail" / "bin" / "sail"
PYSPARK_VENV = REPO / ".venv-spark"


class Unavailable(Exception):
    """The server's virtualenv has not been made."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class ConnectServer:
    name: str
    port: int
    base: Path  # working folder: logs, warehouse, and tables placed by tests
    process: subprocess.Popen

    @property
    def log(self) -> Path:
        return self.base / "server.log"

    def log_tail(self, lines: int = 30) -> str:
        return log_tail(self.log, lines)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        shutil.rmtree(self.base, ignore_errors=True)


def _start(name: str, command: list[str], port: int, base: Path, timeout: float, env: dict | None = None):
    log = open(base / "server.log", "wb")  # noqa: SIM115 - the server writes it until stop()
    process = subprocess.Popen(command, cwd=base, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               start_new_session=True, env={**os.environ, **(env or {})})
    server = ConnectServer(name, port, base, process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _listening(port):
            return server
        if process.poll() is not None:
            break
        time.sleep(0.1)
    tail = server.log_tail()
    server.stop()
    raise RuntimeError(f"{name} did not start listening on 127.0.0.1:{port} within {timeout:.0f}s:\n{tail}")


def start_sail(timeout: float = 30) -> ConnectServer:
    if not SAIL.exists():
        raise Unavailable(f"{SAIL} is missing: run `make .venv-sail/bin/sail`")
    base = Path(tempfile.mkdtemp(prefix="fusion-sail-"))
    port = _free_port()
    return _start("sail", [str(SAIL), "spark", "server", "--ip", "127.0.0.1", "--port", str(port), "-C", str(base)],
                  port, base, timeout)


def start_spark(timeout: float = 120) -> ConnectServer:
    """Apache Spark's Connect server (pyspark wheel), in-memory catalog, local[2]."""
    home = next(PYSPARK_VENV.glob("lib/python*/site-packages/pyspark"), None)
    if home is None or not (home / "bin" / "spark-submit").exists():
        raise Unavailable(f"pyspark is not installed in {PYSPARK_VENV}: run `make .venv-spark/bin/pyspark`")
    if shutil.which("java") is None:
        raise Unavailable("java is not on PATH")
    base = Path(tempfile.mkdtemp(prefix="fusion-spark-"))
    port = _free_port()
    command = [str(home / "bin" / "spark-submit"), "--master", "local[2]",
               "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
               "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
               "--conf", f"spark.connect.grpc.binding.port={port}",
               "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
               "--conf", "spark.ui.enabled=false", "--conf", "spark.sql.catalogImplementation=in-memory",
               "--conf", f"spark.sql.warehouse.dir={base / 'warehouse'}",
               "--conf", "spark.sql.shuffle.partitions=2", "--driver-memory", "1g",
               f"--conf=spark.driver.extraJavaOptions=-Djava.io.tmpdir={base}",
               "spark-internal"]
    env = {"SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1",
           "PYSPARK_PYTHON": str(PYSPARK_VENV / "bin" / "python")}
    return _start("Spark Connect", command, port, base, timeout, env)
