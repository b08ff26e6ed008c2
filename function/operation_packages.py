"""Which packages hold the API's operations: this project's, and installed plugins'.

A plugin is a distribution that declares its operation packages under the
entry-point group ``dynamodb_operations``::

    [project.entry-points.dynamodb_operations]
    acme_ops = "acme_ops"

Installed into the environment, it is found with no configuration. Finding it
means reading every installed distribution's metadata (10-40 ms, far more with
large layers), so that scan runs where code is built and served, never in
Lambda: the Pulumi program writes the packages it resolved into the archive as
``function/operation_packages.json``, and a cold start reads that one file.

The packages an environment uses, in order of precedence:

1. ``OPERATION_PACKAGES`` (comma-separated), which the local server, the tests
   and the benchmark set;
2. the archive's generated list;
3. ``operations`` and every installed plugin (development, tests).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ENTRY_POINT_GROUP = "dynamodb_operations"
PACKAGES_ENV = "OPERATION_PACKAGES"
PACKAGES_FILE = "operation_packages.json"
DEFAULT_PACKAGES = ("operations",)

_PACKAGE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


class PluginError(ValueError):
    """An installed plugin declares its operations wrongly; the message names the distribution."""


@dataclass(frozen=True)
class Plugin:
    """One operation package an installed distribution declares."""

    package: str
    #: The distribution's name, as installed (``acme-ops``).
    distribution: str
    #: The entry point's name in ``dynamodb_operations``.
    entry_point: str

    def is_named(self, name: str) -> bool:
        """Whether ``name`` means this plugin: its distribution, entry point or package."""
        wanted = normalized(name)
        return wanted in {
            normalized(self.distribution),
            normalized(self.entry_point),
            normalized(self.package),
        }


def installed_plugins() -> tuple[Plugin, ...]:
    """Every operation package the installed distributions declare, sorted by package.

    Reads the metadata of every installed distribution: never call it in Lambda.
    """
    import importlib.metadata  # here, so a cold start never imports it

    found: dict[str, Plugin] = {}
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        distribution = entry.dist.name if entry.dist is not None else "an unknown distribution"
        if entry.attr or not _PACKAGE.fullmatch(entry.value.strip()):
            raise PluginError(
                f"{distribution}: entry point {entry.name} = {entry.value!r} in "
                f"{ENTRY_POINT_GROUP} must name a package, like {entry.name} = "
                f'"{entry.module.split(".")[0]}"'
            )
        plugin = Plugin(entry.value.strip(), distribution, entry.name)
        other = found.setdefault(plugin.package, plugin)
        if other.distribution != plugin.distribution:
            raise PluginError(
                f"package {plugin.package} is declared by two distributions, "
                f"{other.distribution} and {plugin.distribution}; uninstall one"
            )
    return tuple(found[package] for package in sorted(found))


def resolve(
    listed: Sequence[str], exclude: Iterable[str] = ()
) -> tuple[tuple[str, ...], dict[str, str], tuple[str, ...]]:
    """The packages a stack serves: those it lists, then installed plugins not left out.

    Returns the packages, the distribution each plugin package comes from, and
    a warning for each name in ``exclude`` that matches no installed plugin.
    """
    left_out = tuple(exclude)
    plugins = installed_plugins()
    kept = [p for p in plugins if not any(p.is_named(name) for name in left_out)]
    packages = tuple(dict.fromkeys((*listed, *(plugin.package for plugin in kept))))
    warnings = tuple(
        f"config excludePlugins: {name!r} is not an installed plugin "
        f"(installed: {', '.join(p.distribution for p in plugins) or 'none'})"
        for name in left_out
        if not any(plugin.is_named(name) for plugin in plugins)
    )
    return packages, {p.package: p.distribution for p in kept}, warnings


def configured() -> tuple[str, ...]:
    """The packages this environment serves (see the module's docstring for the order)."""
    return _configured(os.environ.get(PACKAGES_ENV, ""))


@lru_cache(maxsize=4)
def _configured(raw: str) -> tuple[str, ...]:
    named = tuple(part.strip() for part in raw.split(",") if part.strip())
    if named:
        return named
    generated = Path(__file__).with_name(PACKAGES_FILE)
    if generated.exists():
        return tuple(json.loads(generated.read_text()))
    return resolve(DEFAULT_PACKAGES)[0]


def refresh() -> None:
    """Forget what was found: for a process that installs a plugin while it runs (a test)."""
    _configured.cache_clear()


def encode(packages: Sequence[str]) -> str:
    """The archive's generated list of operation packages."""
    return json.dumps(list(packages))


def normalized(name: str) -> str:
    """A distribution name as PEP 503 compares them (``Acme_Ops`` is ``acme-ops``)."""
    return re.sub(r"[-_.]+", "-", name).lower()
