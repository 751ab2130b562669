"""Making and signing roots and indexes. Every document is verified with fusion.trust before it is written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fusion.trust.envelope import INDEX_TYPE, ROOT_TYPE, key_id, public_key_bytes, sign_envelope
from fusion.trust.errors import TrustError
from fusion.trust.metadata import Index, Root, format_time, load_index, load_root_self_signed, update_root

from fusion_signing.errors import RepoError
from fusion_signing.keys import PublicKey, SigningKey, load_key_for_listing, load_public_key, load_signing_key
from fusion_signing.repository import (
    SPEC_VERSION,
    Repository,
    dumps,
    empty_index,
    trust_error,
    utc_now,
    write_atomic,
)
from fusion_signing.verify import check_artifacts

MAX_EXPIRY_DAYS = 20 * 366


def expiry(days: int, now: dt.datetime | None = None) -> str:
    if not 1 <= days <= MAX_EXPIRY_DAYS:
        raise RepoError(f"--expires-days must be between 1 and {MAX_EXPIRY_DAYS}, not {days}")
    return format_time((now or utc_now()) + dt.timedelta(days=days))


def _distinct(keys: list[PublicKey], what: str) -> list[PublicKey]:
    seen: dict[str, PublicKey] = {}
    for key in keys:
        if key.keyid in seen:
            raise RepoError(f"{what}: {key.source} and {seen[key.keyid].source} are the same key")
        seen[key.keyid] = key
    return list(seen.values())


def _check_threshold(threshold: int, count: int, role: str) -> None:
    if not 1 <= threshold <= count:
        raise RepoError(f"the {role} threshold must be between 1 and the number of {role} keys ({count}), "
                        f"not {threshold}")


def root_payload(repository: str, version: int, expires: str, root_keys: list[PublicKey], root_threshold: int,
                 index_keys: list[PublicKey], index_threshold: int) -> bytes:
    keys = {k.keyid: {"keytype": "ed25519", "public": k.hex} for k in [*root_keys, *index_keys]}
    return dumps({
        "_type": "root", "spec_version": SPEC_VERSION, "repository": repository, "version": version,
        "expires": expires, "keys": keys,
        "roles": {"root": {"keyids": [k.keyid for k in root_keys], "threshold": root_threshold},
                  "index": {"keyids": [k.keyid for k in index_keys], "threshold": index_threshold}},
    })


def check_index_payload(payload: dict[str, Any]) -> Index:
    """Run an (unsigned) index payload through the client's own parser, signed by a throwaway key."""
    throwaway = Ed25519PrivateKey.generate()
    public = public_key_bytes(throwaway.public_key())
    keyid = key_id(public)
    complete = {"version": 1, "expires": "2999-01-01T00:00:00Z", "root_version": 1, **payload}
    root_doc = {"_type": "root", "spec_version": SPEC_VERSION, "repository": payload.get("repository"),
                "version": complete["root_version"], "expires": "2999-01-01T00:00:00Z",
                "keys": {keyid: {"keytype": "ed25519", "public": public.hex()}},
                "roles": {"root": {"keyids": [keyid], "threshold": 1},
                          "index": {"keyids": [keyid], "threshold": 1}}}
    try:
        root = load_root_self_signed(sign_envelope(ROOT_TYPE, dumps(root_doc), [throwaway]))
        return load_index(sign_envelope(INDEX_TYPE, dumps(complete), [throwaway]), root)
    except TrustError as exc:
        raise RepoError(f"the index would be rejected by clients: {exc.message}") from exc
    except (AttributeError, TypeError, KeyError, ValueError) as exc:
        raise RepoError(f"the index payload is malformed ({type(exc).__name__}: {exc})") from exc


# --- init -----------------------------------------------------------------------------------------
def init_repository(repo: Repository, name: str, root_key_files: list[str], root_threshold: int,
                    index_key_files: list[str], index_threshold: int, expires_days: int) -> Root:
    if repo.path.exists() and not repo.path.is_dir():
        raise RepoError(f"{repo.path} exists and is not a folder")
    if repo.path.is_dir() and (repo.root_files() or repo.index_path.exists() or repo.unsigned_path.exists()):
        raise RepoError(f"{repo.path} already holds a repository; refusing to re-initialise it",
                        hint="to change keys, use `fusion-repo rotate-root`")
    listed = [load_key_for_listing(path) for path in root_key_files]
    root_keys = _distinct([public for public, _ in listed], "--root-key")
    signers = [signer for _, signer in listed if signer is not None]
    _check_threshold(root_threshold, len(root_keys), "root")
    if len(signers) < root_threshold:
        raise RepoError(f"root v1 must be signed by {root_threshold} root key(s), but only {len(signers)} "
                        "private key(s) (.pem) were given", hint="pass the .pem files of enough root keys")
    index_keys = _distinct([load_public_key(path) for path in index_key_files], "--index-key")
    _check_threshold(index_threshold, len(index_keys), "index")
    payload = root_payload(name, 1, expiry(expires_days), root_keys, root_threshold, index_keys, index_threshold)
    raw = sign_envelope(ROOT_TYPE, payload, [s.private for s in signers])
    try:
        root = load_root_self_signed(raw)
    except TrustError as exc:
        raise RepoError(f"the new root does not verify: {exc.message}") from exc
    check_index_payload(empty_index(name))  # the repository name is one clients accept
    repo.path.mkdir(parents=True, exist_ok=True)
    write_atomic(repo.path / "root" / "1.root.json", raw, exclusive=True)
    repo.write_unsigned(empty_index(name))
    return root


# --- sign -------------------------------------------------------------------------------------------
def _index_signers(root: Root, key_files: list[str]) -> list[SigningKey]:
    role = root.roles["index"]
    signers: dict[str, SigningKey] = {}
    for path in key_files:
        key = load_signing_key(path)
        if key.keyid not in role.keyids:
            raise RepoError(f"{path} is not an index key of root v{root.version} (key id {key.keyid[:16]}…)",
                            hint="sign with the keys listed in the root's index role")
        signers.setdefault(key.keyid, key)
    if len(signers) < role.threshold:
        raise RepoError(f"the index needs {role.threshold} distinct index key(s) of root v{root.version}; "
                        f"{len(signers)} given")
    return list(signers.values())


def sign_index(repo: Repository, key_files: list[str], expires_days: int, root_version: str = "auto",
               version: int | None = None) -> Index:
    chain = repo.load_chain()
    if root_version == "auto":
        root = chain[-1]
    else:
        try:
            number = int(root_version)
        except ValueError as exc:
            raise RepoError(f"--root-version must be `auto` or a number, not {root_version!r}") from exc
        if not 1 <= number <= len(chain):
            raise RepoError(f"--root-version {number}: the repository has roots 1..{len(chain)}")
        root = chain[number - 1]
    payload = repo.read_unsigned()
    if payload.get("repository") != root.repository:
        raise RepoError(f"{repo.unsigned_path} is for repository {payload.get('repository')!r}, "
                        f"but the root is for {root.repository!r}")
    signers = _index_signers(root, key_files)
    try:
        previous = repo.load_signed_index(chain, current_only=False)
    except RepoError as exc:
        if version is None:
            raise RepoError(f"the current index.json does not verify, so its version is unknown: {exc.message}",
                            hint="restore the published index.json, or pass --version N above every version "
                                 "clients may have seen") from exc
        previous = None  # the operator states the version explicitly
    floor = previous.version if previous else 0
    if version is None:
        version = floor + 1
    elif version <= floor:
        raise RepoError(f"--version {version} is not above the current index version {floor}; "
                        "clients refuse an index whose version goes back")
    payload = {**payload, "version": version, "expires": expiry(expires_days), "root_version": root.version}
    check_index_payload(payload)
    raw = sign_envelope(INDEX_TYPE, dumps(payload), [s.private for s in signers])
    try:
        index = load_index(raw, root)
    except TrustError as exc:
        raise trust_error(exc, repo.index_path) from exc
    check_artifacts(repo, index)  # the same checks `verify` runs
    write_atomic(repo.index_path, raw)
    return index


# --- rotate-root ----------------------------------------------------------------------------------
def rotate_root(repo: Repository, old_key_files: list[str], new_key_files: list[str],
                new_threshold: int | None, index_key_files: list[str], index_threshold: int | None,
                expires_days: int) -> Root:
    chain = repo.load_chain()
    current = chain[-1]
    old_role = current.roles["root"]
    old_signers: dict[str, SigningKey] = {}
    for path in old_key_files:
        key = load_signing_key(path)
        if key.keyid not in old_role.keyids:
            raise RepoError(f"--old-key {path} is not a root key of root v{current.version}")
        old_signers.setdefault(key.keyid, key)
    if len(old_signers) < old_role.threshold:
        raise RepoError(f"rotating needs {old_role.threshold} distinct root key(s) of root v{current.version}; "
                        f"{len(old_signers)} given with --old-key")
    new_signers = [load_signing_key(path) for path in new_key_files]
    new_keys = _distinct([k.public for k in new_signers], "--new-key")
    threshold = new_threshold if new_threshold is not None else old_role.threshold
    _check_threshold(threshold, len(new_keys), "new root")
    if index_key_files:
        index_keys = _distinct([load_public_key(path) for path in index_key_files], "--index-key")
        index_thr = index_threshold if index_threshold is not None else min(current.roles["index"].threshold,
                                                                            len(index_keys))
    else:
        index_keys = [PublicKey(current.keys[k], f"root v{current.version}") for k in current.roles["index"].keyids]
        index_thr = index_threshold if index_threshold is not None else current.roles["index"].threshold
    _check_threshold(index_thr, len(index_keys), "index")
    payload = root_payload(current.repository, current.version + 1, expiry(expires_days), new_keys, threshold,
                           index_keys, index_thr)
    signers = {k.keyid: k for k in [*old_signers.values(), *new_signers]}
    raw = sign_envelope(ROOT_TYPE, payload, [k.private for k in signers.values()])
    try:
        new_root = update_root(current, raw)
    except TrustError as exc:
        raise RepoError(f"the new root would be rejected by clients: {exc.message}") from exc
    write_atomic(repo.root_folder() / f"{new_root.version}.root.json", raw, exclusive=True)
    return new_root
