"""The Lambda's code archive: exactly what runs in Lambda, the same files for the same sources.

It holds the ``function`` package, every operation package (the stack's and installed
plugins', see :mod:`infra.source_packages`), the third-party packages uv installs for the
function's platform (:mod:`infra.dependencies`) and the files the program generates. Its
contents map paths in the archive to source files, without touching the sources, so the
``__pycache__`` directories tests leave behind never change what is deployed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from function import operation_packages as function_packages
from function import tables
from function.tables import KeySchema
from infra.dependencies import VENDORED_DIR, LambdaPlatform, vendored_files
from infra.project import PROJECT_DIR
from infra.source_packages import package_files

#: Where the function runs unless a stack says otherwise (see ``infra.api``).
DEFAULT_PLATFORM = LambdaPlatform(python="3.13", architecture="arm64")


class ArchiveError(RuntimeError):
    """Two sources claim one path in the archive; the message names the path."""


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
