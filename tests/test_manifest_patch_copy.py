"""Patching manifest.json copies its unchanged spans file to file, with or without copy_file_range."""

from __future__ import annotations

import mmap
import os

import pytest
from fusion.artifacts import _copy_span


@pytest.mark.parametrize("kernel_copy", [True, False])
def test_spans_are_copied_byte_for_byte(tmp_path, monkeypatch, kernel_copy):
    source = tmp_path / "manifest.json"
    source.write_bytes(bytes(range(256)) * 1000)
    if not kernel_copy:  # another OS, or file systems copy_file_range cannot copy between
        def refuse(*args):
            raise OSError(18, "Invalid cross-device link")

        monkeypatch.setattr(os, "copy_file_range", refuse)
    out = tmp_path / "out"
    with open(source, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data, \
            open(out, "wb") as target:
        target.write(b"<head>")
        target.flush()
        _copy_span(handle.fileno(), target, data, 100, 70_000)
        target.write(b"<node>")
        target.flush()
        _copy_span(handle.fileno(), target, data, 70_050, len(data))
    original = source.read_bytes()
    assert out.read_bytes() == b"<head>" + original[100:70_000] + b"<node>" + original[70_050:]
