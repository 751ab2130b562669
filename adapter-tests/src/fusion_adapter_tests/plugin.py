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
    group.addoption("--fusion-strategies",
                    help="comma-separated incremental strategies this target can run, when fewer than the "
                         "adapter declares (e.g. Spark tables in Parquet cannot merge); the rest are skipped")
    group.addoption("--fusion-xfail", action="append", default=[], metavar="TEST=REASON",
                    help="a test this target is known to fail, with the reason (strict: it must fail)")
    group.addoption("--fusion-grantee", help="an existing role or user the grants tests may grant select to "
                                             "(without it they are skipped)")


def pytest_collection_modifyitems(config, items):
    known = dict(entry.partition("=")[::2] for entry in config.getoption("--fusion-xfail"))
    for item in items:
        if item.name in known:
            item.add_marker(pytest.mark.xfail(reason=known[item.name] or "known failure", strict=True))


_TARGET = pytest.StashKey[tuple]()


def pytest_configure(config):
    """Read the target once, before collection: a bad profiles.yml stops the run with a usage error."""
    folder = config.getoption("--fusion-profiles-dir")
    if folder:
        config.stash[_TARGET] = load_target(Path(folder), config.getoption("--fusion-profile"),
                                            config.getoption("--fusion-target"))


@pytest.fixture(scope="session")
def fusion_target(request) -> tuple[dict, str]:
    """The target under test (its profiles.yml entry, not rendered) and the adapter type it names."""
    if _TARGET not in request.config.stash:
        pytest.skip("no target: pass --fusion-profiles-dir DIR (and --fusion-target NAME)")
    return request.config.stash[_TARGET]


def _kit(config, fusion_target, folder: Path):
    target, _ = fusion_target
    strategies = config.getoption("--fusion-strategies")
    kit = Kit(folder, target, suffix=f"k{os.getpid()}_{next(_tests)}",
              strategies=None if strategies is None else [s.strip() for s in strategies.split(",") if s.strip()])
    yield kit
    kit.drop_schemas()


@pytest.fixture
def kit(request, fusion_target, tmp_path) -> Kit:
    """A project folder of this test's own, built in a schema of its own (dropped afterwards)."""
    yield from _kit(request.config, fusion_target, tmp_path)


@pytest.fixture(scope="module")
def module_kit(request, fusion_target, tmp_path_factory) -> Kit:
    """Like ``kit``, shared by the tests of one module (one build checked by several tests)."""
    yield from _kit(request.config, fusion_target, tmp_path_factory.mktemp("kit"))


@pytest.fixture
def grantee(request) -> str:
    name = request.config.getoption("--fusion-grantee")
    if not name:
        pytest.skip("grants: pass --fusion-grantee ROLE (an existing role or user) to test them")
    return name
