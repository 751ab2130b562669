"""fusion-bigquery against the real signed BigQuery ADBC driver, with no BigQuery to talk to.

The driver is fetched and verified through the signed official index (as on first use), then
used from a child process in a private network namespace (``unshare -n``: only a loopback
device, so nothing can leave the machine): the driver takes every database option the adapter
derives from a dbt-bigquery profile, and every per-statement query option, and refuses wrong
ones, so these tests fail if an option name or value form is wrong. A statement then fails as
a clear ``Error`` (its token request cannot be sent), never as a traceback.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from fusion.drivers.manager import DriverManager

CHILD = r"""
import json, sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fusion.errors import FusionError
from fusion_bigquery import fusion_register_adapters

key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
keyfile = {"type": "service_account", "project_id": "my-project", "private_key_id": "1", "private_key": key,
           "client_email": "fusion@my-project.iam.gserviceaccount.com", "client_id": "1",
           "token_uri": "https://127.0.0.1:9/token"}
specs = []
fusion_register_adapters(register=specs.append)
target = {"type": "bigquery", "method": "service-account-json", "keyfile_json": keyfile, "project": "my-project",
          "dataset": "analytics", "location": "EU", "priority": "batch", "maximum_bytes_billed": 1000000000,
          "job_execution_timeout_seconds": 60, "execution_project": "billing-project"}
adapter = specs[0].adapter_class(specs[0], target, "profiles.yml")
out = {}
with adapter.cursor() as cur:  # opens the connection
    out["options"] = "accepted"
    try:
        cur.adbc_statement.set_options(**{"adbc.bigquery.sql.query.priority": "urgent"})
        out["bad_priority"] = "accepted"
    except Exception as exc:
        out["bad_priority"] = str(exc)
try:
    adapter.execute("create schema if not exists `my-project`.`analytics`")
    out["statement"] = "ran"
except FusionError as exc:
    out["statement"] = f"{type(exc).__name__}: {exc}"
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def offline_python():
    """A command prefix running Python in a private network namespace, the driver already verified."""
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-n", "true"]).returncode != 0:
        pytest.skip("unshare -n (a private network namespace) is not available here")
    DriverManager().library("bigquery", ">=1.11")  # fetched and verified through the signed index
    return ["unshare", "-n", sys.executable]


def test_the_driver_takes_the_profiles_options_and_fails_clearly_offline(offline_python):
    proc = subprocess.run([*offline_python, "-c", CHILD], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["options"] == "accepted"
    assert out["bad_priority"] == "INVALID_ARGUMENT: unknown priority value `urgent`"
    assert out["statement"].startswith("StatementError: ")  # a DatabaseError with the driver's codes
    assert "projects/billing-project/jobs" in out["statement"]  # jobs run in execution_project
    assert "127.0.0.1:9/token" in out["statement"]  # the key's token endpoint, on this machine
