"""The Fusion CLI's environment for running projects on the Trino stand-in: the built Trino driver,
signed into a loopback repository that is the only one trusted, and an empty driver cache, so
the first connection fetches the driver and verifies it before loading it."""

from __future__ import annotations

import json
import os

import pytest
from driver_repo import SignedRepo, driver_entry, serve
from fusion.drivers.platforms import current_platforms

REPOSITORY = "trino-loopback"


@pytest.fixture(scope="session")
def trino_fusion_env(tmp_path_factory, trino_driver) -> dict[str, str]:
    """Environment variables for ``run_fusion(..., env=...)``."""
    root = tmp_path_factory.mktemp("trino-fusion")
    repo = SignedRepo(root / "repo", name=REPOSITORY)
    repo.write_root()
    server = serve(repo.folder)
    repo.url = server.url
    artifact = repo.add_blob(trino_driver.read_bytes(), "libadbc_driver_trino.so")
    repo.write_index({"trino": driver_entry(artifact, "AdbcDriverTrinoInit", version="0.1.0",
                                            platform=current_platforms()[-1])})
    (root / "config" / "fusion").mkdir(parents=True)
    (root / "config" / "fusion" / "policy.toml").write_text(f'repositories = ["{REPOSITORY}"]\n')
    env = {key: value for key, value in os.environ.items() if key != "FUSION_OFFLINE"}
    env.update({"FUSION_CACHE_DIR": str(root / "cache"), "XDG_CONFIG_HOME": str(root / "config"),
                "FUSION_REPOSITORIES": json.dumps([{"name": repo.name, "url": repo.url,
                                                    "root_sha256": repo.root1_sha256}])})
    yield env
    server.httpd.shutdown()
