"""The Lambda's code archive, as ``{path in the archive: source file}``: exactly what runs in
Lambda, the same files for the same sources, never the caches or tests lying beside them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from function import operation_packages as function_packages
from function import routes, tables
from function.registry import Registry
from infra.dependencies import VENDORED_DIR, LambdaPlatform, vendored_files
from infra.project import PROJECT_DIR
from infra.source_packages import package_files

#: Lambda's Python and machine unless a stack says otherwise (see ``infra.api``).
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
    """``function``, the operation packages and the third-party packages, sorted by path;
    ``plugins`` maps plugin packages to their distributions, whose dependencies go in too."""
    files: dict[str, Path] = {}
    sources = {f"package {name}": package_files(name) for name in ("function", *operation_packages)}
    sources["a dependency"] = vendored_files(project, plugins or {}, platform, cache)
    for origin, new in sources.items():
        for name, source in new.items():
            if files.setdefault(name, source) != source:
                raise ArchiveError(f"{origin} and another source both provide {name}")
    return dict(sorted(files.items()))


def generated_files(
    operation_packages: Sequence[str], table_keys: Mapping[str, tables.KeySchema]
) -> dict[str, str]:
    """What the program writes for the cold start: the operation packages, the tables' keys,
    and the route table, so matching a request imports no operation."""
    operations = Registry(operation_packages).all()
    return {
        f"function/{tables.TABLE_KEYS_FILE}": tables.encode_keys(table_keys),
        f"function/{function_packages.PACKAGES_FILE}": function_packages.encode(operation_packages),
        f"function/{routes.ROUTES_FILE}": routes.encode(routes.routes_of(table_keys, operations)),
    }
