"""The pytest plugin: the ``--fusion-*`` options and the ``kit`` fixture the conformance tests use."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from fusion_adapter_tests.kit import Kit, load_target

_tests = itertools.count(1)


def pytest_addoption(parser):
    group = parser.getgroup("fusion", "Fusion adapter conformance (fusion-adapter-tests)")
    group.addoption("--fusion-profiles-dir", help="folder holding the profiles.yml of the target under test")
    group.addoption("--fusion-profile", help="profile to use (default: the only one in profiles.yml)")
    group.addoption("--fusion-target", help="target of that profile (default: the profile's `target:`)")
    group.addoption("--fusion-grantee", help="an existing role or user the grants tests may grant select to "
                                             "(without it they are skipped)")


@pytest.fixture(scope="session")
def fusion_target(request) -> tuple[dict, str]:
    """The target under test (its profiles.yml entry, not rendered) and the adapter type it names."""
    folder = request.config.getoption("--fusion-profiles-dir")
    if not folder:
        pytest.skip("no target: pass --fusion-profiles-dir DIR (and --fusion-target NAME)")
    return load_target(Path(folder), request.config.getoption("--fusion-profile"),
                       request.config.getoption("--fusion-target"))


@pytest.fixture
def kit(fusion_target, tmp_path) -> Kit:
    """A project folder of this test's own, built in a schema of its own (dropped afterwards)."""
    target, _ = fusion_target
    kit = Kit(tmp_path, target, suffix=f"k{os.getpid()}_{next(_tests)}")
    yield kit
    kit.drop_schemas()


@pytest.fixture
def grantee(request) -> str:
    name = request.config.getoption("--fusion-grantee")
    if not name:
        pytest.skip("grants: pass --fusion-grantee ROLE (an existing role or user) to test them")
    return name
