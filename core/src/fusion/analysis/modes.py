"""``--static-analysis`` and the ``static_analysis`` config: off < baseline < strict.

The flag overrides every node's config. A node is never analysed more strictly than its
parents (an ``off`` parent leaves its children's inputs unknown, so they are ``off`` too).
"""

from __future__ import annotations

from fusion.errors import ProjectError

MODES = ("off", "baseline", "strict")
DEFAULT = "baseline"
_DEPRECATED = {"on": "strict", "unsafe": "baseline"}
_RANK = {mode: rank for rank, mode in enumerate(MODES)}


def normalize(value: object, where: str | None = None) -> str:
    if isinstance(value, bool):  # YAML 1.1 reads unquoted on/off as true/false
        value = "on" if value else "off"
    text = str(value).strip().lower()
    text = _DEPRECATED.get(text, text)
    if text not in _RANK:
        raise ProjectError(f"static_analysis must be one of {', '.join(MODES)}, not {value!r}", path=where,
                           hint="set static_analysis: strict | baseline | off")
    return text


def effective_modes(manifest, order: list[str], flag: str | None) -> dict[str, str]:
    """The mode of every node, in the graph's topological ``order``."""
    forced = normalize(flag) if flag else None
    modes: dict[str, str] = {}
    for uid in order:
        node = manifest.nodes.get(uid)
        if node is None:
            continue
        own = forced or _node_mode(node)
        inherited = [modes[p] for p in node.depends_on_nodes if p in modes]
        modes[uid] = min([own, *inherited], key=_RANK.__getitem__)
    return modes


def any_enabled(manifest, flag: str | None) -> bool:
    """Whether analysis can be on for some node (else sqlglot is not even imported)."""
    if flag:
        return normalize(flag) != "off"
    return any(_node_mode(node) != "off" for node in manifest.nodes.values() if node.resource_type == "model")


def _node_mode(node) -> str:
    value = node.config.get("static_analysis")
    return normalize(DEFAULT if value is None else value, node.original_file_path)
