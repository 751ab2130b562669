"""DSSE-style envelopes: the signature covers the exact payload bytes (no canonical JSON)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from fusion.trust.errors import TrustError
from fusion.trust.strict_json import loads_strict

ROOT_TYPE = "application/vnd.fusion.driver-root+json;v=1"
INDEX_TYPE = "application/vnd.fusion.driver-index+json;v=1"


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE pre-authentication encoding: what is actually signed."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public_raw: bytes) -> str:
    return hashlib.sha256(public_raw).hexdigest()


def sign_envelope(payload_type: str, payload: bytes, signers: list[Ed25519PrivateKey]) -> bytes:
    message = pae(payload_type, payload)
    signatures = [{"keyid": key_id(public_key_bytes(k.public_key())),
                   "sig": base64.b64encode(k.sign(message)).decode()} for k in signers]
    document = {"payloadType": payload_type, "payload": base64.b64encode(payload).decode(),
                "signatures": signatures}
    return json.dumps(document, indent=2).encode() + b"\n"


@dataclass(frozen=True)
class Envelope:
    payload_type: str
    payload: bytes
    signatures: tuple[tuple[str, bytes], ...]


def _b64(value, what: str) -> bytes:
    if not isinstance(value, str):
        raise TrustError(f"{what} must be a base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise TrustError(f"{what} is not valid base64") from exc


def parse_envelope(raw: bytes, what: str) -> Envelope:
    doc = loads_strict(raw, what)
    if not isinstance(doc, dict) or set(doc) != {"payloadType", "payload", "signatures"}:
        raise TrustError(f"{what} is not a signed envelope (payloadType, payload, signatures)")
    if not isinstance(doc["signatures"], list) or not isinstance(doc["payloadType"], str):
        raise TrustError(f"{what}: malformed envelope")
    sigs = []
    for entry in doc["signatures"]:
        if not isinstance(entry, dict) or set(entry) != {"keyid", "sig"} or not isinstance(entry["keyid"], str):
            raise TrustError(f"{what}: malformed signature entry")
        sigs.append((entry["keyid"], _b64(entry["sig"], f"{what} signature")))
    return Envelope(doc["payloadType"], _b64(doc["payload"], f"{what} payload"), tuple(sigs))


def verify_threshold(envelope: Envelope, expected_type: str, keyids: list[str], keys: dict[str, bytes],
                     threshold: int, what: str) -> None:
    """At least ``threshold`` distinct authorised keys signed exactly these bytes."""
    if envelope.payload_type != expected_type:
        raise TrustError(f"{what} has payload type {envelope.payload_type!r}, expected {expected_type!r}")
    if threshold < 1:
        raise TrustError(f"{what}: a threshold below 1 is never acceptable")
    message = pae(envelope.payload_type, envelope.payload)
    allowed = set(keyids)
    valid: set[str] = set()
    for keyid, signature in envelope.signatures:
        if keyid not in allowed or keyid in valid or keyid not in keys:
            continue  # unknown keys are ignored; each key counts once
        try:
            Ed25519PublicKey.from_public_bytes(keys[keyid]).verify(signature, message)
        except (InvalidSignature, ValueError):
            continue
        valid.add(keyid)
    if len(valid) < threshold:
        raise TrustError(f"{what} has {len(valid)} valid signature(s) from authorised keys; "
                         f"{threshold} required",
                         hint="the metadata was not signed by the keys this repository trusts; "
                              "do not use it")
