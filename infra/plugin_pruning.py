"""Uninstall the plugin distributions that uv.lock no longer lists.

Every make target syncs with ``uv sync --inexact``, so that one target's sync
leaves the packages another target needs; but that also leaves a plugin that
``uv remove`` took out of the lock, which is then still found by its entry point:
served, documented, tested and deployed. Run by the environment's own Python
after each sync (``python -m infra.plugin_pruning --uv UV``), this
uninstalls exactly those: distributions in this environment's site-packages that
declare a ``dynamodb_operations`` entry point and that the lock does not name.
Anything else missing from the lock stays.

It imports only the standard library and :mod:`function.operation_packages`, as
it runs before every make target, in whatever that target synced.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import subprocess
import sys
import sysconfig
import tomllib
from collections.abc import Sequence
from pathlib import Path

from function.operation_packages import ENTRY_POINT_GROUP, normalized


class PruningError(RuntimeError):
    """The lock could not be read, or uv could not uninstall: the stale plugins may remain."""


def installed_plugin_distributions(site_dirs: Sequence[str] | None = None) -> dict[str, str]:
    """This environment's plugin distributions: each normalized name to the name as installed.

    Only the environment's own site-packages (``site_dirs`` by default), where
    uv installs, editable installs included: a plugin reached through
    ``PYTHONPATH`` is not uv's to uninstall.
    """
    if site_dirs is None:
        site_dirs = sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")})
    return {
        normalized(distribution.name): distribution.name
        for distribution in importlib.metadata.distributions(path=list(site_dirs))
        if any(entry.group == ENTRY_POINT_GROUP for entry in distribution.entry_points)
    }


def locked_distributions(lock_text: str) -> frozenset[str]:
    """The normalized names of the packages a uv.lock pins (the project itself among them)."""
    packages = tomllib.loads(lock_text).get("package", [])
    return frozenset(normalized(package["name"]) for package in packages)


def stale_plugins(lock: Path, site_dirs: Sequence[str] | None = None) -> list[str]:
    """The installed plugin distributions ``lock`` does not name, as installed, sorted.

    Parsing the lock takes about 0.15 s, so it is parsed only when a plugin is
    installed whose name is not in it as uv writes a package's (a line
    ``name = "acme-notes"``): that quick look can only keep a plugin, never
    remove one the lock names.
    """
    installed = installed_plugin_distributions(site_dirs)
    if not installed:
        return []
    try:
        text = lock.read_text(encoding="utf-8")
        if all(f'\nname = "{name}"\n' in text for name in installed):
            return []
        locked = locked_distributions(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise PruningError(f"cannot read {lock}: {error}") from error
    return [installed[name] for name in sorted(installed) if name not in locked]


def prune(lock: Path, uv: str) -> list[str]:
    """Uninstall the stale plugins from this environment with ``uv``; returns their names."""
    stale = stale_plugins(lock)
    if not stale:
        return []
    command = [uv, "pip", "uninstall", "--quiet", "--python", sys.executable, *stale]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as error:
        raise PruningError(f"cannot run {uv}: {error}") from error
    if done.returncode != 0:
        raise PruningError(f"{uv} could not uninstall {', '.join(stale)}: {done.stderr.strip()}")
    return stale


def main(argv: Sequence[str] | None = None) -> int:
    """Prune, printing a line for each plugin removed (make runs this after every sync)."""
    parser = argparse.ArgumentParser(
        prog="python -m infra.plugin_pruning",
        description="Uninstall plugin distributions that uv.lock no longer lists.",
    )
    parser.add_argument("--lock", type=Path, default=Path("uv.lock"), help="default: uv.lock")
    parser.add_argument("--uv", default="uv", help="the uv to uninstall with (default: uv)")
    options = parser.parse_args(argv)
    try:
        removed = prune(options.lock, options.uv)
    except PruningError as error:
        print(f"plugin pruning: {error}", file=sys.stderr)
        return 1
    for name in removed:
        print(f"removed plugin {name} (no longer in {options.lock.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
