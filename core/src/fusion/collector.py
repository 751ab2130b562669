"""Pausing Python's cyclic garbage collector while big acyclic data is built.

Each collection of the oldest generation walks every live object; building tens of thousands of
dicts (a manifest's JSON form, results read back from a parse worker) triggers many of them, and
they find nothing, since such data holds no cycles and is freed by reference counting.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def frozen() -> Iterator[None]:
    """Within: what is alive on entry (modules, macros, the project) is left out of every
    collection, which then walks only what was made since; it joins the oldest generation on exit."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
