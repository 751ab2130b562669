"""The on-disk layout of a driver repository, and reading it back through fusion.trust.

Layout (plain static files, servable by any web server or artifact proxy)::

    root/<N>.root.json     signed root envelopes, N = 1, 2, ... (a flat ``<N>.root.json`` beside
                           index.json is also read, as in the copy shipped inside fusion-core)
    index.json             the signed index envelope
    index.unsigned.json    the editable index payload (not published; ``sign`` signs it)
    blobs/<sha256>/<file>  library files for the ``https`` source
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from fusion.trust.envelope import parse_envelope
from fusion.trust.errors import TrustError
from fusion.trust.metadata import Index, Root, load_index, load_root_self_signed, update_root
from fusion.trust.strict_json import MAX_DOCUMENT_BYTES, loads_strict

from fusion_signing.errors import RepoError
from fusion_signing.files import read_capped

SPEC_VERSION = "1"
INDEX_FILE = "index.json"
UNSIGNED_FILE = "index.unsigned.json"
BLOBS = "blobs"
_ROOT_FILE = re.compile(r"([1-9][0-9]{0,8})\.root\.json")


def dumps(document: dict[str, Any]) -> bytes:
    """The exact bytes that get signed: stable key order, readable when decoded."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=True).encode("ascii") + b"\n"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def write_atomic(path: Path, data: bytes, *, exclusive: bool = False, mode: int = 0o644) -> None:
    """Write through a temp file in the same folder; ``exclusive`` never replaces an existing file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if exclusive:
            os.link(tmp, path)  # fails if the target exists, whatever raced us
        else:
            os.replace(tmp, path)
    except FileExistsError as exc:
        raise RepoError(f"{path} already exists; refusing to overwrite it") from exc
    except OSError as exc:
        raise RepoError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        if tmp.exists():
            tmp.unlink()


def read_document(path: Path) -> bytes:
    """A metadata file, read with the same size cap the client applies."""
    return read_capped(path, MAX_DOCUMENT_BYTES, "metadata file")


def trust_error(exc: TrustError, path: Path | None = None, hint: str | None = None) -> RepoError:
    where = f"{path}: " if path else ""
    return RepoError(f"{where}{exc.message}", hint=hint or exc.hint)


class Repository:
    def __init__(self, path: str | Path):
        self.path = Path(path)

    # --- layout -------------------------------------------------------------------------------
    @property
    def index_path(self) -> Path:
        return self.path / INDEX_FILE

    @property
    def unsigned_path(self) -> Path:
        return self.path / UNSIGNED_FILE

    def require_dir(self) -> None:
        if not self.path.is_dir():
            raise RepoError(f"{self.path} is not a folder", hint="create a repository with `fusion-repo init`")

    def _roots_in(self, folder: Path) -> dict[int, Path]:
        found: dict[int, Path] = {}
        if folder.is_dir():
            for entry in folder.iterdir():
                match = _ROOT_FILE.fullmatch(entry.name)
                if match:
                    found[int(match.group(1))] = entry
        return found

    def root_files(self) -> dict[int, Path]:
        nested, flat = self._roots_in(self.path / "root"), self._roots_in(self.path)
        if nested and flat:
            raise RepoError(f"{self.path} has root files both in root/ and beside index.json; keep one layout")
        return nested or flat

    def root_folder(self) -> Path:
        """Where the next root goes: root/ unless the repository already uses the flat layout."""
        flat = self._roots_in(self.path)
        return self.path if flat and not self._roots_in(self.path / "root") else self.path / "root"

    # --- roots ------------------------------------------------------------------------------------
    def load_chain(self, root_sha256: str | None = None) -> list[Root]:
        """Root 1 (self-signed, optionally pinned by hash), then every N -> N+1 step via update_root."""
        self.require_dir()
        files = self.root_files()
        if not files:
            raise RepoError(f"{self.path} has no root/1.root.json", hint="create one with `fusion-repo init`")
        versions = sorted(files)
        if versions != list(range(1, len(versions) + 1)):
            missing = sorted(set(range(1, versions[-1] + 1)) - set(versions))
            raise RepoError(f"{self.path}: root version(s) {', '.join(map(str, missing))} are missing; "
                            "the chain of roots must be complete from 1")
        if root_sha256 is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", root_sha256.strip()):
            raise RepoError(f"--root-sha256 {root_sha256!r} is not a sha256 (64 hex characters)")
        raw = read_document(files[1])
        if root_sha256 is not None:
            actual = hashlib.sha256(raw).hexdigest()
            if actual != root_sha256.strip().lower():
                raise RepoError(f"{files[1]} has sha256 {actual}, not the pinned {root_sha256}",
                                hint="this is not the root you meant to trust; do not use the repository")
        try:
            root = load_root_self_signed(raw)
        except TrustError as exc:
            raise trust_error(exc, files[1]) from exc
        if root.version != 1:
            raise RepoError(f"{files[1]} holds root version {root.version}, not 1")
        chain = [root]
        for number in versions[1:]:
            try:
                root = update_root(root, read_document(files[number]))
            except TrustError as exc:
                raise trust_error(exc, files[number]) from exc
            chain.append(root)
        return chain

    # --- the signed index -----------------------------------------------------------------------
    def load_signed_index(self, chain: list[Root], *, current_only: bool) -> Index | None:
        """index.json verified against the root it names (or only the latest root)."""
        if not self.index_path.exists():
            return None
        raw = read_document(self.index_path)
        root = chain[-1]
        if not current_only:
            try:
                claimed = loads_strict(parse_envelope(raw, "driver index").payload, "driver index")
                number = claimed.get("root_version") if isinstance(claimed, dict) else None
            except TrustError as exc:
                raise trust_error(exc, self.index_path) from exc
            if isinstance(number, int) and not isinstance(number, bool) and 1 <= number <= len(chain):
                root = chain[number - 1]
        try:
            return load_index(raw, root)
        except TrustError as exc:
            hint = None
            if "made for root" in exc.message:
                hint = "the root was rotated since the index was signed: run `fusion-repo sign` again"
            raise trust_error(exc, self.index_path, hint) from exc

    # --- the editable index -----------------------------------------------------------------------
    def read_unsigned(self) -> dict[str, Any]:
        self.require_dir()
        if not self.unsigned_path.exists():
            raise RepoError(f"{self.unsigned_path} does not exist",
                            hint="create the repository with `fusion-repo init`")
        try:
            doc = loads_strict(read_document(self.unsigned_path), str(self.unsigned_path))
        except TrustError as exc:
            raise RepoError(exc.message) from exc
        if not isinstance(doc, dict) or doc.get("_type") != "driver-index" or not isinstance(doc.get("drivers"), dict) \
                or not isinstance(doc.get("repository"), str):
            raise RepoError(f"{self.unsigned_path} is not an index payload (_type driver-index, repository, drivers)")
        return doc

    def write_unsigned(self, doc: dict[str, Any]) -> None:
        write_atomic(self.unsigned_path, dumps(doc))


def empty_index(repository: str) -> dict[str, Any]:
    return {"_type": "driver-index", "spec_version": SPEC_VERSION, "repository": repository, "drivers": {}}
