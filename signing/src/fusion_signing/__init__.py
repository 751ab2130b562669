"""fusion-signing: the ``fusion-repo`` tool that builds, signs, rotates and verifies driver repositories.

A repository is plain static files (``root/<N>.root.json``, ``index.json``, ``blobs/…``) in the
format that :mod:`fusion.trust.metadata` verifies; every file this package writes is checked
with that same code before it is put in place.
"""

__version__ = "0.1.0"
