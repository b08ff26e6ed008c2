"""The Lambda's code archive: exactly what runs in Lambda, the same files for the same sources.

The archive holds the ``function`` package, every operation package (the
stack's and installed plugins'), the function's pinned runtime dependencies
(``[project] dependencies`` in ``pyproject.toml``) and every plugin's declared dependencies,
recursively, for the function's platform (see :mod:`infra.dependencies`).
Nothing else: no tests, no bytecode caches, no Pulumi or project files. Its
contents are a mapping of paths inside the archive to source files, computed
without side effects on the sources, so running the tests (which leaves
``__pycache__`` directories behind) never changes what is deployed.

Dependencies are not installed at deploy time: each is taken from the
distribution installed in the deploying environment, at that version.
"""

from __future__ import annotations

import importlib.util
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from function import operation_packages as function_packages
from function import tables
from function.tables import KeySchema
from infra.dependencies import (
    RUNTIME_PROVIDED,
    WHEELS_DIR,
    DependencyError,
    LambdaPlatform,
    Root,
    closure,
    files_for,
    roots_of,
)
from infra.project import PROJECT_DIR, shown

if TYPE_CHECKING:
    import pulumi

FUNCTION_PACKAGE = "function"
PROJECT_FILE = PROJECT_DIR / "pyproject.toml"

#: Files of the source packages that run in Lambda: Python source and data it may read.
SOURCE_SUFFIXES = frozenset({".py", ".json", ".yaml", ".yml"})
TEST_DIRECTORIES = frozenset({"tests", "test"})
#: Where the function runs unless a stack says otherwise (see ``infra.api``).
DEFAULT_PLATFORM = LambdaPlatform(python="3.13", architecture="arm64")

_PINNED = re.compile(
    r"^(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*==\s*(?P<version>\S+)$"
)


class ArchiveError(RuntimeError):
    """The code archive cannot be built as declared; the message says what to fix."""


def archive_files(
    operation_packages: Iterable[str],
    project_file: Path = PROJECT_FILE,
    *,
    plugins: Mapping[str, str] | None = None,
    platform: LambdaPlatform = DEFAULT_PLATFORM,
    wheels: Path = WHEELS_DIR,
) -> dict[str, Path]:
    """The archive's contents: ``{path inside the archive: source file}``, sorted by path.

    ``plugins`` maps plugin packages to the distributions they come from, whose
    dependencies are vendored too.
    """
    files: dict[str, Path] = {}
    for package in dict.fromkeys((FUNCTION_PACKAGE, *operation_packages)):
        _add(files, package_files(package), f"package {package}")
    label = shown(project_file)
    roots = [
        Root(Requirement(f"{name}=={version}"), label)
        for name, version in pinned_requirements(project_file)
    ]
    try:
        roots += roots_of(plugins or {}, platform)
        for distribution in closure(roots, platform):
            origin = f"{distribution.metadata['Name']}=={distribution.version}"
            _add(files, files_for(distribution, platform, wheels), origin)
    except DependencyError as error:
        raise ArchiveError(str(error)) from None
    return dict(sorted(files.items()))


def package_files(package: str) -> dict[str, Path]:
    """The source and data files of an importable package, keyed by their path in the archive.

    A dotted package brings its parents' ``__init__.py`` so it stays importable.
    """
    spec = _find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ArchiveError(
            f"package {package!r} is not an importable package in this interpreter "
            "(check operationPackages and that the package is on the path)"
        )
    prefix = PurePosixPath(*package.split("."))
    files: dict[str, Path] = {}
    for directory in map(Path, spec.submodule_search_locations):
        for source in sorted(directory.rglob("*")):
            relative = source.relative_to(directory)
            if source.is_file() and _is_runtime_source(relative):
                files[(prefix / relative.as_posix()).as_posix()] = source
    parents = package.split(".")[:-1]
    for depth in range(1, len(parents) + 1):
        parent = ".".join(parents[:depth])
        parent_spec = _find_spec(parent)
        if parent_spec is not None and parent_spec.origin and parent_spec.origin.endswith(".py"):
            files[f"{parent.replace('.', '/')}/__init__.py"] = Path(parent_spec.origin)
    return files


def pinned_requirements(project_file: Path = PROJECT_FILE) -> list[tuple[str, str]]:
    """The ``(name, version)`` of each of the function's dependencies to vendor.

    They are ``[project] dependencies`` in ``pyproject.toml``: what the function
    needs wherever it runs. Those the Lambda runtime provides stay out of the
    archive; every other must be exactly ``name==version``.
    """
    declared = tomllib.loads(project_file.read_text()).get("project", {}).get("dependencies", [])
    pinned = []
    for text in declared:
        where = f"{shown(project_file)} [project] dependencies"
        match = _PINNED.match(text.strip())
        name = match["name"] if match else Requirement(text).name
        if canonicalize_name(name) in RUNTIME_PROVIDED:
            continue
        if match is None:
            raise ArchiveError(
                f"{where}: {text!r} is not pinned; the function's dependencies must be "
                "exactly 'name==version' (no ranges, extras or markers): the archive vendors them"
            )
        pinned.append((name, match["version"]))
    return pinned


def generated_files(
    operation_packages: Sequence[str], table_keys: Mapping[str, KeySchema]
) -> dict[str, str]:
    """What the program writes into the archive: known at build time, read at cold start.

    The operation packages (so Lambda never scans installed distributions) and
    the tables' key schemas (so Lambda's 4 KB of environment holds only names).
    """
    return {
        f"{FUNCTION_PACKAGE}/{tables.TABLE_KEYS_FILE}": tables.encode_keys(table_keys),
        f"{FUNCTION_PACKAGE}/{function_packages.PACKAGES_FILE}": function_packages.encode(
            operation_packages
        ),
    }


def asset_archive(
    files: Mapping[str, Path], generated: Mapping[str, str] | None = None
) -> pulumi.AssetArchive:
    """The archive handed to the engine: one file asset per entry (the engine zips them).

    ``generated`` adds files made by the program, as text: what is known when the
    archive is built (the tables' key schemas) rather than at deploy time.
    """
    # Imported here so the rest of this module (used by the benchmark) needs no Pulumi.
    import pulumi

    assets: dict[str, pulumi.Asset] = {
        name: pulumi.FileAsset(str(path)) for name, path in files.items()
    }
    for name, text in (generated or {}).items():
        if name in assets:
            raise ArchiveError(f"{name} is generated, but a package already has that file")
        assets[name] = pulumi.StringAsset(text)
    return pulumi.AssetArchive(dict(sorted(assets.items())))


def _is_runtime_source(relative: Path) -> bool:
    parts = relative.parts
    if any(part == "__pycache__" or part.startswith(".") for part in parts):
        return False
    if any(part in TEST_DIRECTORIES for part in parts[:-1]):
        return False
    name = parts[-1]
    if name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py"):
        return False
    return relative.suffix in SOURCE_SUFFIXES


def _add(files: dict[str, Path], new: Mapping[str, Path], origin: str) -> None:
    for name, source in new.items():
        if name in files and files[name] != source:
            raise ArchiveError(f"{origin} and another source both provide {name} in the archive")
        files[name] = source


def _find_spec(name: str) -> ModuleSpec | None:
    try:
        return importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
