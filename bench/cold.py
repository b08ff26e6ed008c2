"""Cold-start variants: the source tree, extra plugin modules and distributions, the archive."""

from __future__ import annotations

import tempfile
import textwrap
import zipfile
from collections.abc import Mapping
from pathlib import Path

from infra.archive import archive_files, generated_files
from infra.settings import stack_settings
from tests.distributions import install_distribution, installed_at

#: Fixed metadata for every entry, so equal contents give equal bytes.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
ZIP_FILE_MODE = 0o100644

PLUGIN_MODULE = textwrap.dedent(
    '''
    """Bench plugin {number}: an operation like any other, never requested."""
    from function import schemas
    from function.registry import operation

    SCHEMA = schemas.payload({{"Key": schemas.ATTRIBUTES}}, required=["Key"])


    @operation("bench-{number:03}", actions=["dynamodb:GetItem"], schema=SCHEMA)
    def bench_{number:03}(call):
        """Read an item."""
        return call.dynamodb.get_item(TableName=call.table, **call.payload)
    '''
)


def plugin_package(directory: Path, count: int = 200, name: str = "bench_plugins") -> str:
    """A package of ``count`` operation modules under ``directory``; returns its name."""
    package = directory / name
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        '"""Operations that exist only to weigh on discovery."""\n'
    )
    for number in range(count):
        (package / f"op_{number:03}.py").write_text(PLUGIN_MODULE.format(number=number))
    return name


def write_zip(
    files: Mapping[str, Path], destination: Path, generated: Mapping[str, str] | None = None
) -> Path:
    """Write ``files`` as a zip whose bytes depend only on their paths and contents.

    Only to measure the archive's size: the deployment hands the engine file assets
    (:func:`infra.api.asset_archive`) and the engine zips them itself.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    contents = {name: path.read_bytes() for name, path in files.items()}
    contents.update({name: text.encode() for name, text in (generated or {}).items()})
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(contents):
            entry = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            entry.create_system = 3
            entry.external_attr = ZIP_FILE_MODE << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, contents[name])
    return destination


def plugin_distributions(site: Path, count: int = 10) -> Path:
    """``count`` installed plugin distributions in ``site``, one operation each."""
    site.mkdir(parents=True)
    for number in range(count):
        install_distribution(
            site,
            f"bench-plugin-{number}",
            {f"bench_plugin_{number}": {"op": PLUGIN_MODULE.format(number=number)}},
        )
    return site


def deployed_archive(directory: Path, stack: str = "dev") -> tuple[Path, int]:
    """The archive the Pulumi program deploys for ``stack``, unpacked into ``directory``.

    Plugins are those installed in this interpreter, as for ``pulumi up``.
    Returns the directory and the archive's zip size.
    """
    settings = stack_settings(stack)
    files = archive_files(settings.operation_packages, plugins=settings.plugins)
    generated = generated_files(
        settings.operation_packages,
        {table: spec.key_schema for table, spec in settings.tables.items()},
    )
    with tempfile.TemporaryDirectory() as scratch:
        zip_path = write_zip(files, Path(scratch) / "function.zip", generated)
        size = zip_path.stat().st_size
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(directory)
    return directory, size


def archive_with_plugins(directory: Path, site: Path) -> Path:
    """The deployed archive with the distributions of ``site`` installed as plugins."""
    with installed_at(site):
        return deployed_archive(directory)[0]
