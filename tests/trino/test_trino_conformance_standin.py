"""The conformance kit (adapter-tests/) on fusion-trino, against the Trino-protocol stand-in server
through the built driver (from a loopback repository), run as an adapter author would."""

from __future__ import annotations

import pytest
from fusion_adapter_tests import run_conformance
from servers import profile_yaml

pytestmark = pytest.mark.slow

#: what the stand-in cannot run, with the reason
STANDIN_LIMITS: tuple[str, ...] = ()


def test_conformance_trino_standin(tmp_path, trino_standin, trino_fusion_env):
    target = {"type": "trino", "host": "127.0.0.1", "port": trino_standin.port, "user": "kit",
              "catalog": "lake", "schema": "kit", "threads": 4}
    (tmp_path / "profiles.yml").write_text(profile_yaml(target, profile="conformance"))
    result = run_conformance(tmp_path, "dev", *STANDIN_LIMITS, cwd=tmp_path, env=trino_fusion_env)
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr
