"""Cold-start variants: the source tree, 200 extra plugin modules, the deployed archive."""

from __future__ import annotations

import tempfile
import textwrap
import zipfile
from pathlib import Path

from infra.archive import archive_files, write_zip

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


def deployed_archive(directory: Path) -> tuple[Path, int]:
    """The archive the Pulumi program deploys, unpacked into ``directory``; and its zip size."""
    files = archive_files(["operations"])
    with tempfile.TemporaryDirectory() as scratch:
        zip_path = write_zip(files, Path(scratch) / "function.zip")
        size = zip_path.stat().st_size
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(directory)
    return directory, size
