from fusion.errors import FusionError


class TrustError(FusionError):
    """Signed metadata or a driver artifact failed verification. Always fail closed."""
