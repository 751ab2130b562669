"""``fusion init``'s profile: the answers for an adapter's ``profile_fields`` (from ``--field``
flags, else asked on a terminal, else the field's default) and a new entry in profiles.yml that
leaves the file's other entries (and comments) as they were."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click
import yaml

from fusion.adapter import AdapterSpec, ProfileField
from fusion.errors import FusionError
from fusion.fileio import read_text, write_atomic
from fusion.yamlio import load_yaml_text

TARGET = "dev"


class Prompter:
    """Questions on the terminal (click's prompts: defaults in brackets, typed answers checked).
    Ctrl-C or end of input stops init before anything is written."""

    def ask(self, field: ProfileField, default: Any) -> Any:
        text = field.name + (f" ({field.hint})" if field.hint else "")
        return _answer(click.prompt, text, default=default, type=field.type, hide_input=field.secret,
                       show_default=not field.secret and default != "")

    def choose(self, question: str, options: list[str]) -> str:
        listing = "\n".join(f"[{n}] {option}" for n, option in enumerate(options, 1))
        number = _answer(click.prompt, f"{question}\n{listing}\nEnter a number", type=click.IntRange(1, len(options)))
        return options[number - 1]

    def confirm(self, question: str) -> bool:
        return bool(_answer(click.confirm, question, default=False))

    def text(self, question: str) -> str:
        return str(_answer(click.prompt, question))


def _answer(ask, *args: Any, **kwargs: Any) -> Any:
    try:
        return ask(*args, **kwargs)
    except click.Abort:
        raise FusionError("init stopped before every question was answered; nothing was written") from None


def terminal() -> Prompter | None:
    """A prompter when stdin is a terminal; None otherwise (answers must come from flags)."""
    return Prompter() if sys.stdin.isatty() else None


def profiles_folder(flag: str | None, project_root: Path | None) -> Path:
    """Where init writes profiles.yml: --profiles-dir, DBT_PROFILES_DIR, else (as dbt) the project's
    or the working folder when it has a profiles.yml, else ~/.dbt."""
    if flag or os.environ.get("DBT_PROFILES_DIR"):
        return Path(flag or os.environ["DBT_PROFILES_DIR"]).expanduser()
    for folder in (project_root, Path.cwd()):
        if folder is not None and (folder / "profiles.yml").is_file():
            return folder
    return Path.home() / ".dbt"


def read_profiles(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    data = load_yaml_text(read_text(path), str(path))
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FusionError("profiles.yml is not a mapping of profile names", path=str(path),
                          hint="fix the file, or pass --profiles-dir with another folder")
    return data


def choose_adapter(adapters: dict[str, AdapterSpec], wanted: str | None, prompter: Prompter | None) -> AdapterSpec:
    names = sorted(adapters)
    if wanted is not None:
        if wanted not in adapters:
            raise FusionError(f"no installed adapter is called {wanted!r}",
                              hint="installed: " + (", ".join(names) or "none (pip install fusion-duckdb)"))
        return adapters[wanted]
    if not names:
        raise FusionError("no adapter is installed", hint="pip install fusion-duckdb (or another fusion adapter)")
    if prompter is None:
        raise FusionError("which adapter should the profile use? There is no terminal to ask on",
                          hint=f"pass --adapter (installed: {', '.join(names)})")
    return adapters[prompter.choose("Which adapter (database) would you like to use?", names)]


def answers(spec: AdapterSpec, given: dict[str, str], project: str, prompter: Prompter | None) -> dict[str, Any]:
    """The target's keys in the adapter's order; an empty answer leaves its key out."""
    fields = {f.name: f for f in spec.profile_fields}
    unknown = sorted(set(given) - set(fields))
    if unknown:
        raise FusionError(f"the {spec.name} adapter asks for no profile field {', '.join(map(repr, unknown))}",
                          hint="its fields: " + (", ".join(fields) or "none"))
    target: dict[str, Any] = {"type": spec.name}
    missing = []
    for name, field in fields.items():
        default = field.default.replace("{project}", project) if isinstance(field.default, str) else field.default
        if name in given:
            value = _typed(field, given[name])
        elif prompter is not None and field.ask:
            value = prompter.ask(field, default)
        elif default is not None:
            value = default
        else:
            missing.append(field)
            continue
        if value != "":
            target[name] = value
    if missing:
        raise FusionError(f"the {spec.name} profile needs " + ", ".join(f"`{f.name}` ({f.hint})" for f in missing)
                          + ", and there is no terminal to ask on",
                          hint="pass " + " ".join(f"--field {f.name}=..." for f in missing))
    return target


def _typed(field: ProfileField, text: str) -> Any:
    if field.type is int:
        try:
            return int(text)
        except ValueError:
            raise FusionError(f"--field {field.name} must be a whole number, got {text!r}") from None
    return text


def parse_fields(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise FusionError(f"--field {pair!r} is not KEY=VALUE", hint="e.g. --field host=localhost")
        out[key.strip()] = value
    return out


def write_profile(path: Path, name: str, target: dict[str, Any], replace: bool) -> None:
    """Add profile ``name`` (one target, ``dev``) to the profiles.yml at ``path``; ``replace`` an
    existing entry of that name (the file is then rewritten from its data, as dbt does)."""
    entry = {"target": TARGET, "outputs": {TARGET: target}}
    block = yaml.safe_dump({name: entry}, sort_keys=False, default_flow_style=False)
    if not path.is_file():
        text = block
    elif replace:
        text = yaml.safe_dump({**read_profiles(path), name: entry}, sort_keys=False, default_flow_style=False)
    else:
        old = read_text(path)
        text = old + ("\n" if old and not old.endswith("\n") else "") + ("\n" if old.strip() else "") + block
        if load_yaml_text(text, str(path)) != {**read_profiles(path), name: entry}:
            raise FusionError(f"cannot add the profile {name!r} to {path} without changing its other entries",
                              path=str(path), hint=f"add it yourself:\n{block}")
    write_atomic(path, text.encode())
