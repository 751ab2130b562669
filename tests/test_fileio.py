"""fileio: whole-or-nothing writes and UTF-8 reads that name the bad byte."""

from __future__ import annotations

import pytest
from fusion.errors import FusionError
from fusion.fileio import read_text, write_atomic


def test_write_atomic_gives_the_mode_open_would(tmp_path):
    (tmp_path / "plain").write_bytes(b"x")
    write_atomic(tmp_path / "atomic", b"x")
    assert (tmp_path / "atomic").stat().st_mode == (tmp_path / "plain").stat().st_mode


def test_failed_write_keeps_the_old_file_and_no_temp_file(tmp_path):
    (tmp_path / "taken").mkdir()  # the final rename fails: a folder is in the way
    with pytest.raises(FusionError, match="could not write"):
        write_atomic(tmp_path / "taken", b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_read_text_names_the_first_bad_byte_and_its_line(tmp_path):
    (tmp_path / "f.sql").write_bytes("é\n".encode() + b"ok\n\xff\n")
    with pytest.raises(FusionError) as caught:
        read_text(tmp_path / "f.sql", "models/f.sql")
    assert str(caught.value).startswith("models/f.sql:3: file is not UTF-8 text: byte 6 (0xff)")


def test_a_write_in_pieces_is_whole_or_not_at_all(tmp_path):
    target = tmp_path / "manifest.json"
    write_atomic(target, (piece for piece in (b'{"a":', b"1", b"}")))
    assert target.read_bytes() == b'{"a":1}'

    def failing():
        yield b'{"b":'
        raise ValueError("a node could not be written")

    with pytest.raises(ValueError, match="could not be written"):
        write_atomic(target, failing())
    assert target.read_bytes() == b'{"a":1}'
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]
