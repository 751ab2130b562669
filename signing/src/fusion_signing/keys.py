"""Ed25519 key files: ``NAME.pem`` (PKCS#8 PEM private key, mode 0600) and ``NAME.pub`` (hex)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
    load_pem_public_key,
)
from fusion.trust.envelope import key_id, public_key_bytes

from fusion_signing.errors import RepoError
from fusion_signing.files import read_capped

MAX_KEY_FILE_BYTES = 16 * 1024


@dataclass(frozen=True)
class PublicKey:
    """A public key as a root lists it."""

    raw: bytes
    source: str  # the file it came from, for messages

    @property
    def keyid(self) -> str:
        return key_id(self.raw)

    @property
    def hex(self) -> str:
        return self.raw.hex()


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    source: str

    @property
    def public(self) -> PublicKey:
        return PublicKey(public_key_bytes(self.private.public_key()), self.source)

    @property
    def keyid(self) -> str:
        return self.public.keyid


def generate(out_prefix: str) -> tuple[Path, Path, SigningKey]:
    """Write OUT_PREFIX.pem (0600, never overwritten) and OUT_PREFIX.pub."""
    pem_path, pub_path = Path(out_prefix + ".pem"), Path(out_prefix + ".pub")
    for path in (pem_path, pub_path):
        if path.exists() or path.is_symlink():
            raise RepoError(f"{path} already exists; refusing to overwrite a key file",
                            hint="choose another prefix or move the old key away first")
    if not pem_path.parent.is_dir():
        raise RepoError(f"folder {pem_path.parent} does not exist")
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    fd = os.open(pem_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    os.chmod(pem_path, 0o600)  # the umask cannot widen it, but be explicit
    key = SigningKey(private, str(pem_path))
    fd = os.open(pub_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "w") as handle:
        handle.write(key.public.hex + "\n")
    return pem_path, pub_path, key


def _read(path: str) -> bytes:
    return read_capped(path, MAX_KEY_FILE_BYTES, "key file")


def load_signing_key(path: str) -> SigningKey:
    """A private key: an unencrypted PKCS#8 PEM Ed25519 key, as ``fusion-repo keygen`` writes."""
    data = _read(path)
    if b"PRIVATE KEY-----" not in data:
        raise RepoError(f"{path} is not a private key (expected a PEM file from `fusion-repo keygen`)",
                        hint="signing needs the .pem file; a .pub file can only be listed in a root")
    try:
        private = load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise RepoError(f"{path} is not a readable unencrypted PEM private key: {exc}") from exc
    if not isinstance(private, Ed25519PrivateKey):
        raise RepoError(f"{path} holds a {type(private).__name__}; only Ed25519 keys are supported")
    return SigningKey(private, path)


def load_public_key(path: str) -> PublicKey:
    """A public key from a ``.pub`` (hex of 32 raw bytes), a PEM public key or a PEM private key."""
    data = _read(path)
    if b"PRIVATE KEY-----" in data:
        return load_signing_key(path).public
    if b"PUBLIC KEY-----" in data:
        try:
            public = load_pem_public_key(data)
        except ValueError as exc:
            raise RepoError(f"{path} is not a readable PEM public key: {exc}") from exc
        if not isinstance(public, Ed25519PublicKey):
            raise RepoError(f"{path} holds a {type(public).__name__}; only Ed25519 keys are supported")
        return PublicKey(public_key_bytes(public), path)
    try:
        raw = bytes.fromhex(data.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        raw = b""
    if len(raw) != 32:
        raise RepoError(f"{path} is not a key file: expected 64 hex characters (a .pub from "
                        "`fusion-repo keygen`) or a PEM key")
    return PublicKey(raw, path)


def load_key_for_listing(path: str) -> tuple[PublicKey, SigningKey | None]:
    """For roles that may list keys whose holders are absent: a .pub lists, a .pem lists and signs."""
    data = _read(path)
    if b"PRIVATE KEY-----" in data:
        signer = load_signing_key(path)
        return signer.public, signer
    return load_public_key(path), None
