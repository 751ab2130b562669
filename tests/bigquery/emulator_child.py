"""Test plumbing, run as ``unshare -n -m python emulator_child.py EMULATOR_PYTHON WORKDIR``: a
private network namespace (nothing leaves the machine) in which Google's BigQuery hosts are this
machine. Loopback comes up, a private /etc/hosts sends bigquery.googleapis.com,
bigquerystorage.googleapis.com and oauth2.googleapis.com to 127.0.0.2-4, TLS fronts with a
throwaway CA (trusted through SSL_CERT_FILE) forward them to bqemulator's REST (HTTP/1.1) and
gRPC storage (HTTP/2) ports and to a token endpoint that hands out a dummy access token. Then
every call read from stdin (JSON: [["execute", sql, fetch], ["relations", project, dataset],
["columns", project, dataset, name], ["fusion", project_dir, *args]]) runs through fusion-bigquery's
adapter (or its CLI) and the real signed driver; the outcomes are printed as JSON.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

HOSTS = {"bigquery.googleapis.com": "127.0.0.2", "bigquerystorage.googleapis.com": "127.0.0.3",
         "oauth2.googleapis.com": "127.0.0.4"}
REST, GRPC = 9050, 9060
TOKEN = json.dumps({"access_token": "fusion-test", "token_type": "Bearer", "expires_in": 3600}).encode()


def pem(obj) -> bytes:
    if isinstance(obj, x509.Certificate):
        return obj.public_bytes(serialization.Encoding.PEM)
    return obj.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def certificates(work: Path) -> None:
    """A throwaway CA (written to ca.pem) and a server certificate for Google's hosts."""
    now = dt.datetime.now(dt.UTC)

    def cert(subject, issuer, key, sign_key, extension):
        return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
                .not_valid_after(now + dt.timedelta(hours=2)).add_extension(extension, critical=False)
                .sign(sign_key, hashes.SHA256()))

    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fusion test CA")])
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = cert(ca_name, ca_name, ca_key, ca_key, x509.BasicConstraints(ca=True, path_length=None))
    leaf = cert(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bigquery.googleapis.com")]), ca_name, key, ca_key,
                x509.SubjectAlternativeName([x509.DNSName(h) for h in HOSTS]))
    (work / "ca.pem").write_bytes(pem(ca))
    (work / "leaf.pem").write_bytes(pem(leaf) + pem(ca))
    (work / "leaf.key").write_bytes(pem(key))


def tls(work: Path, alpn: list[str]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(work / "leaf.pem", work / "leaf.key")
    context.set_alpn_protocols(alpn)
    return context


async def _pipe(reader, writer) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        writer.close()


def _forward(port: int):
    async def handle(reader, writer):
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
    return handle


async def _token(reader, writer) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    await reader.readexactly(length)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                 b"Content-Length: %d\r\n\r\n%s" % (len(TOKEN), TOKEN))
    await writer.drain()
    writer.close()


def serve_fronts(work: Path) -> None:
    ready = threading.Event()

    async def main():
        servers = [await asyncio.start_server(_forward(REST), HOSTS["bigquery.googleapis.com"], 443,
                                              ssl=tls(work, ["http/1.1"])),
                   await asyncio.start_server(_forward(GRPC), HOSTS["bigquerystorage.googleapis.com"], 443,
                                              ssl=tls(work, ["h2"])),
                   await asyncio.start_server(_token, HOSTS["oauth2.googleapis.com"], 443, ssl=tls(work, ["http/1.1"]))]
        ready.set()
        await asyncio.gather(*(s.serve_forever() for s in servers))

    threading.Thread(target=asyncio.run, args=(main(),), daemon=True).start()
    ready.wait(10)


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def start_emulator(emulator_python: str, work: Path) -> subprocess.Popen:
    """bqemulator with DuckDB's spatial extension installed from its wheel (no download)."""
    env = {**os.environ, "HOME": str(work)}  # DuckDB keeps extensions under $HOME/.duckdb
    install = ("import duckdb, duckdb_extension_spatial, pathlib; "
               "path = next(pathlib.Path(duckdb_extension_spatial.__file__).parent.rglob('spatial.duckdb_extension')); "
               "duckdb.connect().execute(f\"INSTALL '{path}'\")")
    subprocess.run([emulator_python, "-c", install], env=env, check=True, capture_output=True)
    log = (work / "emulator.log").open("w")
    process = subprocess.Popen([str(Path(emulator_python).with_name("bqemulator")), "start", "--rest-port", str(REST),
                                "--grpc-port", str(GRPC), "--project", "my-project", "--log-level", "warning"],
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if all(_listening(port) for port in (REST, GRPC)):
            return process
        if process.poll() is not None:
            raise SystemExit(f"bqemulator stopped: {(work / 'emulator.log').read_text()[-2000:]}")
        time.sleep(0.3)
    raise SystemExit("bqemulator did not start within 60 s")


#: a service account key the token endpoint accepts (it accepts any)
KEYFILE = {"type": "service_account", "project_id": "my-project", "private_key_id": "1",
           "private_key": pem(rsa.generate_private_key(public_exponent=65537, key_size=2048)).decode(),
           "client_email": "fusion@my-project.iam.gserviceaccount.com", "client_id": "1",
           "token_uri": "https://oauth2.googleapis.com/token"}


def adapter():
    from fusion_bigquery import fusion_register_adapters

    specs = []
    fusion_register_adapters(register=specs.append)
    target = {"type": "bigquery", "method": "service-account-json", "keyfile_json": KEYFILE,
              "project": "my-project", "dataset": "analytics"}
    return specs[0].adapter_class(specs[0], target, "profiles.yml")


def _execute(bigquery, sql: str, fetch: bool = False):
    _, table = bigquery.execute(sql, fetch=fetch)
    return table.to_pylist() if table is not None else None


def _fusion(bigquery, project: str, *args: str) -> list:
    """The CLI in ``project`` (whose profile names the key file ``sa.json``): [exit code, output]."""
    (Path(project) / "sa.json").write_text(json.dumps(KEYFILE))
    proc = subprocess.run([sys.executable, "-m", "fusion", *args], cwd=project, capture_output=True, text=True,
                          timeout=180)
    return [proc.returncode, proc.stdout + proc.stderr]


CALLS = {
    "execute": _execute,
    "fusion": _fusion,
    "relations": lambda bigquery, database, schema: sorted(bigquery.list_relations(database, schema)),
    "columns": lambda bigquery, database, schema, name: [
        [c.name, c.dtype] for c in bigquery.get_columns_in_relation(bigquery.relation(database, schema, name))],
}


def main() -> None:
    emulator_python, work = sys.argv[1], Path(sys.argv[2])
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    hosts = work / "hosts"
    hosts.write_text("127.0.0.1 localhost\n" + "".join(f"{ip} {name}\n" for name, ip in HOSTS.items()))
    subprocess.run(["mount", "--bind", str(hosts), "/etc/hosts"], check=True)
    certificates(work)
    os.environ["SSL_CERT_FILE"] = str(work / "ca.pem")  # read by the Go driver when it is loaded
    emulator = start_emulator(emulator_python, work)
    try:
        serve_fronts(work)
        bigquery, outcomes = adapter(), []
        for call, *args in json.loads(sys.stdin.read()):
            try:
                outcomes.append(["ok", CALLS[call](bigquery, *args)])
            except Exception as exc:  # noqa: BLE001 - reported to the test
                outcomes.append([type(exc).__name__, str(exc)])
        print(json.dumps(outcomes))
    finally:
        emulator.terminate()
        emulator.wait(10)


if __name__ == "__main__":
    main()
