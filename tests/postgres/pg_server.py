"""A throwaway PostgreSQL server for tests: initdb + pg_ctl, loopback only, stopped afterwards.

Standard library only, so that both the test suite and
tests/expected/shop_postgres/regenerate.py (run with dbt Core's Python) can use it.

- ``initdb`` refuses to run as root: as root everything runs as the OS user ``postgres``
  through ``runuser`` (the user is created with ``useradd`` if missing); otherwise as the
  current user.
- The cluster lives in a fresh ``/tmp/fusion-pg-*`` folder owned by that user (pytest's own
  temporary folders are private to root). Locale C, UTF8, ``fsync=off``, English messages,
  ISO dates, UTC, ``listen_addresses=127.0.0.1`` on a free port, the Unix socket inside the
  data folder, and password authentication (scram-sha-256) for the bootstrap superuser.
- Start-up waits at most ``timeout`` seconds (``pg_ctl -w -t``); ``stop()`` shuts the server
  down (``-m fast``) and deletes the folder.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from servers import log_tail

OS_USER = "postgres"


class Unavailable(Exception):
    """PostgreSQL's server programs are not installed here."""


def binaries() -> dict[str, str]:
    found = {name: shutil.which(name) for name in ("initdb", "pg_ctl", "postgres")}
    missing = [name for name, path in found.items() if path is None]
    if missing:
        raise Unavailable(f"PostgreSQL server programs not on PATH: {', '.join(missing)}")
    return found  # type: ignore[return-value]


def _run_as() -> tuple[list[str], pwd.struct_passwd | None]:
    """The command prefix that runs a program as an unprivileged user, and that user."""
    if os.geteuid() != 0:
        return [], None
    try:
        account = pwd.getpwnam(OS_USER)
    except KeyError:
        proc = subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                               OS_USER], capture_output=True, text=True, timeout=30)
        if proc.returncode not in (0, 9):  # 9: created meanwhile by someone else
            raise RuntimeError(f"useradd {OS_USER} failed: {proc.stderr.strip()}") from None
        account = pwd.getpwnam(OS_USER)
    if shutil.which("runuser") is None:
        raise Unavailable("running as root, but `runuser` is not available to drop privileges")
    return ["runuser", "-u", OS_USER, "--"], account


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresServer:
    base: Path
    port: int
    user: str
    password: str
    prefix: list[str]
    pg_ctl: str
    host: str = "127.0.0.1"

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def log(self) -> Path:
        return self.base / "server.log"

    def uri(self, dbname: str = "postgres", user: str | None = None, password: str | None = None) -> str:
        user = self.user if user is None else user
        password = self.password if password is None else password
        return (f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}@{self.host}:{self.port}/"
                f"{quote(dbname, safe='')}")

    def target(self, dbname: str, schema: str, **extra) -> dict:
        """A dbt-postgres ``profiles.yml`` target for this server."""
        return {"type": "postgres", "host": self.host, "port": self.port, "user": self.user,
                "password": self.password, "dbname": dbname, "schema": schema, "threads": 4, **extra}

    def log_tail(self, lines: int = 20) -> str:
        return log_tail(self.log, lines)

    def stop(self) -> None:
        try:
            subprocess.run([*self.prefix, self.pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "-t", "30",
                            "stop"], capture_output=True, text=True, timeout=45)
        except subprocess.TimeoutExpired:
            self._kill_postmaster()
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def _kill_postmaster(self) -> None:
        """Last resort: stop the postmaster this server started (its pid from postmaster.pid)."""
        try:
            pid = int((self.data / "postmaster.pid").read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass


def _settings(port: int, socket_dir: Path) -> str:
    return "\n".join([
        "",
        "# fusion test server",
        "listen_addresses = '127.0.0.1'",
        f"port = {port}",
        f"unix_socket_directories = '{socket_dir}'",
        "fsync = off",
        "synchronous_commit = off",
        "full_page_writes = off",
        "max_connections = 50",
        "lc_messages = 'C'",
        "datestyle = 'iso, mdy'",
        "timezone = 'UTC'",
        "password_encryption = 'scram-sha-256'",
        "",
    ])


def start(user: str = "fusion", password: str = "fusion-test-password", timeout: int = 30) -> PostgresServer:
    """initdb a new cluster in a temporary folder and start it; raise ``Unavailable`` or RuntimeError."""
    programs = binaries()
    prefix, account = _run_as()
    base = Path(tempfile.mkdtemp(prefix="fusion-pg-"))
    server = None
    try:
        if account is not None:
            os.chown(base, account.pw_uid, account.pw_gid)
        pwfile = base / "pwfile"
        pwfile.write_text(password + "\n")
        pwfile.chmod(0o600)
        if account is not None:
            os.chown(pwfile, account.pw_uid, account.pw_gid)
        server = PostgresServer(base, 0, user, password, prefix, programs["pg_ctl"])
        proc = subprocess.run([*prefix, programs["initdb"], "-D", str(server.data), "-U", user,
                               f"--pwfile={pwfile}", "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "-N"],
                              capture_output=True, text=True, timeout=120)
        pwfile.unlink()
        if proc.returncode != 0:
            raise RuntimeError(f"initdb failed ({proc.returncode}): {(proc.stderr or proc.stdout).strip()[-2000:]}")
        conf = server.data / "postgresql.conf"
        original = conf.read_text()
        for _attempt in range(3):  # the free port may be taken between choosing and binding it
            server.port = _free_port()
            conf.write_text(original + _settings(server.port, server.data))
            proc = subprocess.run([*prefix, programs["pg_ctl"], "-D", str(server.data), "-l", str(server.log),
                                   "-w", "-t", str(timeout), "start"],
                                  capture_output=True, text=True, timeout=timeout + 15)
            if proc.returncode == 0:
                return server
            if "already in use" not in server.log_tail():
                break
        raise RuntimeError(f"PostgreSQL did not start within {timeout}s: {proc.stdout.strip()} "
                           f"{proc.stderr.strip()}\n{server.log_tail()}")
    except BaseException:
        if server is not None and (server.data / "postmaster.pid").exists():
            server.stop()  # a start that timed out may still come up
        shutil.rmtree(base, ignore_errors=True)
        raise
