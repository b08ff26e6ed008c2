"""The Lambda's code archive: exactly what runs in Lambda, the same files for the same sources.

It holds the ``function`` package, every operation package (the stack's and installed
plugins') and the third-party packages uv installs for the function's platform (see
:mod:`infra.dependencies`). Nothing else: no tests, bytecode or project files. Its contents
map paths in the archive to source files, without touching the sources, so the
``__pycache__`` directories tests leave behind never change what is deployed.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from function import operation_packages as function_packages
from function import tables
from function.tables import KeySchema
from infra.dependencies import VENDORED_DIR, LambdaPlatform, vendored_files
from infra.project import PROJECT_DIR

if TYPE_CHECKING:
    import pulumi

#: Where the function runs unless a stack says otherwise (see ``infra.api``).
DEFAULT_PLATFORM = LambdaPlatform(python="3.13", architecture="arm64")
#: Files of the source packages that run in Lambda: Python source and data it may read.
SOURCE_SUFFIXES = (".py", ".json", ".yaml", ".yml")


class ArchiveError(RuntimeError):
    """The code archive cannot be built as declared; the message says what to fix."""


def archive_files(
    operation_packages: Iterable[str],
    project: Path = PROJECT_DIR,
    *,
    plugins: Mapping[str, str] | None = None,
    platform: LambdaPlatform = DEFAULT_PLATFORM,
    cache: Path = VENDORED_DIR,
) -> dict[str, Path]:
    """``{path in the archive: source file}``, sorted by path.

    ``plugins`` maps plugin packages to their distributions, whose dependencies go in too.
    """
    files: dict[str, Path] = {}
    sources = {f"package {name}": package_files(name) for name in ("function", *operation_packages)}
    sources["a dependency"] = vendored_files(project, plugins or {}, platform, cache)
    for origin, new in sources.items():
        for name, source in new.items():
            if files.setdefault(name, source) != source:
                raise ArchiveError(
                    f"{origin} and another source both provide {name} in the archive"
                )
    return dict(sorted(files.items()))


def package_files(package: str) -> dict[str, Path]:
    """An importable package's runtime files, keyed by their path in the archive.

    A dotted package brings its parents' ``__init__.py`` so it stays importable.
    """
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise ArchiveError(
            f"package {package!r} is not an importable package in this interpreter "
            "(check operationPackages and that the package is on the path)"
        )
    files: dict[str, Path] = {}
    for parent in (package.rsplit(".", depth)[0] for depth in range(package.count("."), 0, -1)):
        origin = getattr(importlib.util.find_spec(parent), "origin", None) or ""
        if origin.endswith(".py"):
            files[f"{parent.replace('.', '/')}/__init__.py"] = Path(origin)
    for directory in map(Path, spec.submodule_search_locations):
        for source in sorted(directory.rglob("*")):
            relative = source.relative_to(directory)
            if source.is_file() and _is_runtime_source(relative.parts):
                files[f"{package.replace('.', '/')}/{relative.as_posix()}"] = source
    return files


def generated_files(
    operation_packages: Sequence[str], table_keys: Mapping[str, KeySchema]
) -> dict[str, str]:
    """What the program writes into the archive: known at build time, read at cold start.

    The operation packages (so Lambda never scans installed distributions) and
    the tables' key schemas (so Lambda's 4 KB of environment holds only names).
    """
    return {
        f"function/{tables.TABLE_KEYS_FILE}": tables.encode_keys(table_keys),
        f"function/{function_packages.PACKAGES_FILE}": function_packages.encode(operation_packages),
    }


def asset_archive(
    files: Mapping[str, Path], generated: Mapping[str, str] | None = None
) -> pulumi.AssetArchive:
    """The archive handed to the engine: one asset per entry (the engine zips them).

    ``generated`` adds the program's own files, as text (see :func:`generated_files`).
    """
    import pulumi  # Here, so the benchmark can use the rest of this module without Pulumi.

    assets: dict[str, pulumi.Asset] = {name: pulumi.FileAsset(str(p)) for name, p in files.items()}
    for name, text in (generated or {}).items():
        if name in assets:
            raise ArchiveError(f"{name} is generated, but a package already has that file")
        assets[name] = pulumi.StringAsset(text)
    return pulumi.AssetArchive(dict(sorted(assets.items())))


def _is_runtime_source(parts: tuple[str, ...]) -> bool:
    """Source and data; no tests, caches or hidden files."""
    *folders, name = parts
    if any(part == "__pycache__" or part.startswith(".") for part in parts):
        return False
    if {"tests", "test"} & set(folders) or name == "conftest.py":
        return False
    return (
        name.endswith(SOURCE_SUFFIXES)
        and not name.startswith("test_")
        and not name.endswith("_test.py")
    )
