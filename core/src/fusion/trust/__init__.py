"""Signed driver metadata: strict JSON, DSSE-style envelopes, root and index documents.

Modelled on TUF's rules (threshold signatures per role, monotonic versions, expiry, root
rotation N -> N+1 signed by both old and new root keys) in a small format that needs only
``cryptography``. Nothing here touches the network or the file system.
"""

from fusion.trust.errors import TrustError

__all__ = ["TrustError"]
