from fusion.errors import FusionError


class RepoError(FusionError):
    """A repository, key, wheel or flag is wrong; the CLI prints it as one paragraph, exit code 2."""
