"""Which files of an importable Python package run in Lambda: source and data, never tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path

#: Files of the source packages that run in Lambda: Python source and data it may read.
SOURCE_SUFFIXES = (".py", ".json", ".yaml", ".yml")


class SourcePackageError(RuntimeError):
    """A package named for the archive cannot be imported here; the message names it."""


def package_files(package: str) -> dict[str, Path]:
    """An importable package's runtime files, keyed by their path in the archive.

    A dotted package brings its parents' ``__init__.py`` so it stays importable.
    """
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise SourcePackageError(
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
