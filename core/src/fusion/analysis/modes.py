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
        own = forced or normalize(node.config.get("static_analysis") or DEFAULT, node.original_file_path)
        inherited = [modes[p] for p in node.depends_on_nodes if p in modes]
        modes[uid] = min([own, *inherited], key=_RANK.__getitem__)
    return modes


def any_enabled(manifest, flag: str | None) -> bool:
    """Whether analysis can be on for some node (else sqlglot is not even imported)."""
    if flag:
        return normalize(flag) != "off"
    return any(normalize(node.config.get("static_analysis") or DEFAULT, node.original_file_path) != "off"
               for node in manifest.nodes.values() if node.resource_type == "model")
