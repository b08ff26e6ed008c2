"""The settings' reference, written from their models: Pulumi.yaml's ``config`` and the docs.

:class:`infra.settings.Settings` holds every setting's type, default and
description. Two files show them to people: ``Pulumi.yaml``'s ``config`` block
(what ``pulumi config`` and the CLI's defaults read; Pulumi's schema: ``type``,
``items``, ``default``, ``description``) and the table under ``## Settings`` in
``docs/deploying.md``. Both are written from the models, never by hand::

    make settings                             # after changing a setting (runs it with --write)
    python -m infra.settings_reference        # exit 1, naming what disagrees

A test runs the check, so neither file can drift from the models.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from infra.project import PROJECT_DIR
from infra.setting_values import config_default
from infra.settings import FOLLOWING_DEFAULTS, Settings

WRITE_COMMAND = "make settings"
DOCS = Path("docs") / "deploying.md"
HEADING = "## Settings"
#: The stack whose values the docs show beside the defaults, where they differ.
SHOWN_STACK = "prod"
_NOTE = (
    "<!-- Written from the settings' models (infra/settings.py and the groups it holds) "
    f"by `{WRITE_COMMAND}`: change a setting there, not here. -->"
)


def pulumi_config() -> dict[str, dict[str, Any]]:
    """Pulumi.yaml's ``config`` block: each setting's type, default and description."""
    schema = Settings.model_json_schema(by_alias=True)["properties"]
    config = {}
    for name, field in Settings.model_fields.items():
        key = field.alias or name
        declared: dict[str, Any] = {"type": _pulumi_type(schema[key])}
        if declared["type"] == "array":
            declared["items"] = {"type": _pulumi_type(schema[key]["items"])}
        if key not in FOLLOWING_DEFAULTS:
            declared["default"] = config_default(Settings, name)
        declared["description"] = field.description
        config[key] = declared
    return config


def _pulumi_type(schema: dict[str, Any]) -> str:
    """The Pulumi config type of a JSON schema: a model (``$ref``) is an object."""
    kind = schema.get("type", "object")
    if kind not in ("string", "integer", "boolean", "object", "array"):
        raise TypeError(f"no Pulumi config type for {schema}")
    return str(kind)


def docs_section(project_dir: Path = PROJECT_DIR) -> str:
    """The ``## Settings`` section of docs/deploying.md: a row per setting.

    A default the shown stack's file (prod's) changes is noted beside it.
    """
    shown = _stack_values(project_dir, SHOWN_STACK)
    rows = [
        "| Key | Default | What it does |",
        "| --- | --- | --- |",
        "| `aws:region` | set per stack | The region everything is deployed to. |",
    ]
    for name, field in Settings.model_fields.items():
        key = field.alias or name
        default = config_default(Settings, name)
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        shown_default = str(extra.get("default_docs") or f"`{_flow(default)}`")
        if key in shown and shown[key] != default:
            shown_default += f" ({SHOWN_STACK} `{_flow(shown[key])}`)"
        text = extra.get("docs") or field.description
        rows.append(f"| `{key}` | {shown_default} | {text} |")
    return "\n".join([HEADING, "", _NOTE, "", *rows, "", ""])


def _stack_values(project_dir: Path, stack: str) -> dict[str, Any]:
    """The project's settings a stack file sets, by key."""
    project = yaml.safe_load((project_dir / "Pulumi.yaml").read_text())["name"]
    stack_file = yaml.safe_load((project_dir / f"Pulumi.{stack}.yaml").read_text())
    prefix = f"{project}:"
    return {
        key.removeprefix(prefix): value
        for key, value in (stack_file.get("config") or {}).items()
        if key.startswith(prefix)
    }


def _flow(value: Any) -> str:
    """A value as a stack file would write it on one line."""
    if value == "":
        return '""'
    text = yaml.safe_dump(value, default_flow_style=True, width=1 << 20).strip()
    return text.removesuffix("\n...").strip()


def _default_lines(declared: dict[str, Any]) -> list[str]:
    """A setting's ``default:`` lines; none for one whose default follows another setting."""
    if "default" not in declared:
        return []
    default = declared["default"]
    if isinstance(default, dict | list) and default:
        nested = yaml.safe_dump(default, sort_keys=False, default_flow_style=False)
        return ["    default:", *(f"      {line}" for line in nested.splitlines())]
    return [f"    default: {_flow(default)}"]


def config_block() -> str:
    """Pulumi.yaml's ``config`` block as written: a short description on its key's line,
    a long one folded."""
    lines = ["config:"]
    for key, declared in pulumi_config().items():
        lines += [f"  {key}:", f"    type: {declared['type']}"]
        if "items" in declared:
            lines += ["    items:", f"      type: {declared['items']['type']}"]
        lines += _default_lines(declared)
        description = _scalar(declared["description"])
        if len(f"    description: {description}") <= 100:
            lines.append(f"    description: {description}")
        else:
            lines.append("    description: >-")
            lines += textwrap.wrap(
                declared["description"],
                width=92,
                initial_indent="      ",
                subsequent_indent="      ",
                break_long_words=False,
                break_on_hyphens=False,
            )
    block = "\n".join(lines) + "\n"
    if yaml.safe_load(block) != {"config": pulumi_config()}:
        raise ValueError("the config block does not read back as the models declare it")
    return block


def _scalar(text: str) -> str:
    """``text`` as a YAML scalar on one line: plain where YAML allows, else double-quoted."""
    dumped = _flow(text)
    return json.dumps(text) if dumped.startswith("'") else dumped


def _config_span(lines: list[str]) -> tuple[int, int]:
    """Where the ``config`` block is among Pulumi.yaml's lines (its end if it has none)."""
    start = next((i for i, line in enumerate(lines) if line.rstrip() == "config:"), len(lines))
    end = next(
        (
            i
            for i in range(start + 1, len(lines))
            if lines[i].strip() and not lines[i].startswith((" ", "#"))
        ),
        len(lines),
    )
    return start, end


def _with_config(pulumi_yaml: str) -> str:
    """``pulumi_yaml`` with its ``config`` block written from the models, the rest as it is."""
    lines = pulumi_yaml.splitlines(keepends=True)
    start, end = _config_span(lines)
    return "".join([*lines[:start], config_block(), *lines[end:]])


def _with_docs_section(docs: str, project_dir: Path) -> str:
    """``docs`` with its ``## Settings`` section written from the models."""
    start = docs.index(f"\n{HEADING}\n") + 1
    following = docs.find("\n## ", start + len(HEADING))
    end = following + 1 if following >= 0 else len(docs)
    return docs[:start] + docs_section(project_dir) + docs[end:]


def stale(project_dir: Path = PROJECT_DIR) -> list[str]:
    """The files (relative to ``project_dir``) that disagree with the models."""
    found = []
    pulumi_yaml = (project_dir / "Pulumi.yaml").read_text()
    if _with_config(pulumi_yaml) != pulumi_yaml:
        found.append("Pulumi.yaml")
    docs = (project_dir / DOCS).read_text()
    if _with_docs_section(docs, project_dir) != docs:
        found.append(str(DOCS))
    return found


def write(project_dir: Path = PROJECT_DIR) -> list[str]:
    """Write what disagrees with the models; the files written."""
    written = stale(project_dir)
    if "Pulumi.yaml" in written:
        path = project_dir / "Pulumi.yaml"
        path.write_text(_with_config(path.read_text()))
    if str(DOCS) in written:
        path = project_dir / DOCS
        path.write_text(_with_docs_section(path.read_text(), project_dir))
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.settings_reference", description=__doc__)
    parser.add_argument("--write", action="store_true", help="write the files from the models")
    options = parser.parse_args(argv)
    if options.write:
        for name in write():
            print(f"wrote {name}")
        return 0
    found = stale()
    for name in found:
        print(f"{name} disagrees with the settings' models; run {WRITE_COMMAND}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
