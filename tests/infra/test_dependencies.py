"""The archive's third-party part: what the lock and the plugins need, for Lambda's platform."""

from __future__ import annotations

import importlib.metadata
import zipfile
from pathlib import Path

import pytest

from infra.archive import archive_files
from infra.dependencies import IN_RUNTIME, DependencyError, LambdaPlatform
from tests.conftest import install_distribution

ARM = LambdaPlatform("3.13", "arm64")
OP = {"op": "from function.registry import operation\n"}
#: What a compiled extension module would be; the archive must carry these bytes as they are.
NATIVE_CODE = b"\x7fELF compiled for aarch64"


def plugin_archive(**options) -> dict[str, Path]:
    """The archive of the stock operations and the plugin ``acme-ops`` (package ``acme_ops``)."""
    return archive_files(
        ["operations", "acme_ops"], plugins={"acme_ops": "acme-ops"}, **{"platform": ARM, **options}
    )


def tops(files: dict[str, Path]) -> set[str]:
    return {name.split("/")[0] for name in files}


def test_a_plugins_dependencies_come_for_lambdas_python_but_not_what_the_runtime_has(
    site_packages,
):
    install_distribution(
        site_packages,
        "acme-ops",
        {"acme_ops": OP},
        requires=(
            "python-ulid>=2",
            "boto3>=1.20",
            "dynamodb-operations-api[local]",
            "acme-docs; extra == 'docs'",
            "acme-old; python_version < '3.12'",
        ),
    )

    files = plugin_archive()

    ulid = importlib.metadata.version("python-ulid")  # The lock's, as this environment is synced.
    assert {"acme_ops", "ulid", f"python_ulid-{ulid}.dist-info"} <= tops(files)
    assert f"python_ulid-{ulid}.dist-info/METADATA" in files
    runtimes = {"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3"}
    assert not tops(files) & runtimes, "the runtime's own would be shadowed"
    assert len(runtimes) == len(IN_RUNTIME)
    unwanted = ("acme_docs", "acme_old", "dynamodb_operations_api", "local_api", "acme_ops-", "bin")
    assert not [top for top in tops(files) if top.startswith(unwanted)]


def test_a_dependency_the_package_index_lacks_is_named(site_packages, tmp_path):
    install_distribution(site_packages, "acme-ops", {"acme_ops": OP}, requires=("acme-gone>=2",))

    with pytest.raises(DependencyError, match=r"(?s)uv pip failed for the archive: .*acme-gone"):
        plugin_archive(cache=tmp_path / "vendored")


def test_a_plugin_that_needs_another_installed_plugin_gets_it_as_source_not_from_the_index(
    site_packages, tmp_path
):
    install_distribution(site_packages, "acme-base", {"acme_base": OP})
    install_distribution(site_packages, "acme-ops", {"acme_ops": OP}, requires=("acme-base>=1",))

    files = archive_files(
        ["operations", "acme_ops", "acme_base"],
        plugins={"acme_ops": "acme-ops", "acme_base": "acme-base"},
        platform=ARM,
        cache=tmp_path / "vendored",
    )

    assert files["acme_base/op.py"] == site_packages / "acme_base" / "op.py"
    assert not [name for name in files if name.startswith("acme_base-")], "no copy from an index"


@pytest.mark.parametrize("line", ["--find-links /tmp/elsewhere", "-r /etc/hostname"])
def test_a_plugin_requirement_that_is_a_uv_option_is_refused_naming_the_plugin(
    site_packages, tmp_path, line
):
    install_distribution(site_packages, "acme-ops", {"acme_ops": OP}, requires=(line,))

    with pytest.raises(DependencyError, match=r"^plugin acme-ops: Expected package name"):
        plugin_archive(cache=tmp_path / "vendored")


def test_a_pure_plugin_installed_without_wheel_metadata_is_packaged(site_packages, tmp_path):
    install_distribution(site_packages, "acme-ops", {"acme_ops": OP}, requires=("python-ulid>=2",))
    (site_packages / "acme_ops-1.0.dist-info" / "WHEEL").unlink()

    files = plugin_archive(cache=tmp_path / "vendored")

    assert {"acme_ops", "ulid"} <= tops(files)


def native_wheel(folder: Path, tag: str) -> Path:
    """A wheel of ``acme-native 2.0`` built for ``tag``, as a package index would offer it."""
    folder.mkdir(exist_ok=True)
    wheel = folder / f"acme_native-2.0-cp313-cp313-{tag}.whl"
    info = "acme_native-2.0.dist-info"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("acme_native/__init__.py", "from acme_native._speed import *\n")
        archive.writestr("acme_native/_speed.cpython-313-aarch64-linux-gnu.so", NATIVE_CODE)
        archive.writestr(
            f"{info}/METADATA", "Metadata-Version: 2.1\nName: acme-native\nVersion: 2.0\n"
        )
        archive.writestr(
            f"{info}/WHEEL",
            f"Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp313-cp313-{tag}\n",
        )
        archive.writestr(f"{info}/RECORD", "")
    return wheel


@pytest.fixture
def native_dependency(site_packages, tmp_path, monkeypatch):
    """``acme-ops`` needs ``acme-native``, built for this machine here and for arm64 on an index."""
    install_distribution(site_packages, "acme-ops", {"acme_ops": OP}, requires=("acme-native",))
    install_distribution(
        site_packages,
        "acme-native",
        {"acme_native": {}},
        entry_points={},
        version="2.0",
        pure=False,
    )
    index = tmp_path / "index"
    native_wheel(index, "manylinux_2_17_aarch64.manylinux2014_aarch64")
    monkeypatch.setenv("UV_FIND_LINKS", str(index))
    return index


def test_native_code_comes_from_the_wheel_for_lambdas_platform_not_the_environment(
    native_dependency, tmp_path
):
    files = plugin_archive(cache=tmp_path / "vendored")

    native = files["acme_native/_speed.cpython-313-aarch64-linux-gnu.so"]
    assert native.read_bytes() == NATIVE_CODE
    assert files["acme_native/__init__.py"].read_text() == "from acme_native._speed import *\n"
    assert "acme_native-2.0.dist-info/METADATA" in files
    assert "acme_native-2.0.dist-info/RECORD" not in files


def test_the_dependencies_are_installed_once_and_the_archive_is_the_same_every_time(
    native_dependency, tmp_path
):
    first = plugin_archive(cache=tmp_path / "vendored")
    for wheel in native_dependency.iterdir():
        wheel.unlink()

    second = plugin_archive(cache=tmp_path / "vendored")

    assert second == first
    assert [path.read_bytes() for path in second.values()] == [
        path.read_bytes() for path in first.values()
    ]


def test_no_wheel_for_the_functions_architecture_fails_naming_the_package_and_its_platforms(
    native_dependency, tmp_path
):
    with pytest.raises(DependencyError) as refused:
        plugin_archive(cache=tmp_path / "vendored", platform=LambdaPlatform("3.13", "x86_64"))

    message = " ".join(str(refused.value).split())
    assert message.startswith("uv pip failed for the archive: ")
    assert "acme-native==2.0 has no wheels with a matching platform tag" in message
    assert "manylinux_2_34_x86_64" in message, "the platform looked for"
    assert "aarch64" in message, "the platform it has wheels for"
    assert not [path for path in (tmp_path / "vendored").iterdir() if path.is_dir()], (
        "nothing half-built is left"
    )


def test_a_plugin_with_native_code_of_its_own_is_refused(site_packages):
    install_distribution(site_packages, "acme-ops", {"acme_ops": OP}, pure=False)

    with pytest.raises(DependencyError, match=r"^plugin acme-ops==1.0 has native code of its own"):
        plugin_archive()


def test_a_project_without_a_lock_vendors_its_pinned_dependencies(tmp_path):
    version = importlib.metadata.version("fastjsonschema")
    (tmp_path / "pyproject.toml").write_text(
        f'[project]\nname = "api"\ndependencies = ["fastjsonschema=={version}", "botocore"]\n'
    )

    files = archive_files(["operations"], tmp_path, cache=tmp_path / "vendored")

    assert {"fastjsonschema", f"fastjsonschema-{version}.dist-info"} < tops(files)
    assert "botocore" not in tops(files)


def test_a_damaged_build_of_the_dependencies_is_rebuilt_not_packaged(tmp_path):
    metadata = f"fastjsonschema-{importlib.metadata.version('fastjsonschema')}.dist-info/METADATA"
    cache = tmp_path / "vendored"
    whole = archive_files(["operations"], platform=ARM, cache=cache)
    (entry,) = [path for path in cache.iterdir() if path.is_dir()]
    for package in entry.glob("fastjsonschema/*.py"):
        package.unlink()
    assert (entry / metadata).stat().st_nlink == 1, "damage in place would reach uv's cache"
    with (entry / metadata).open("r+") as damaged:
        damaged.truncate(10)  # In place, as a full disk or an editor keeping hard links would.

    rebuilt = archive_files(["operations"], platform=ARM, cache=cache)

    assert sorted(rebuilt) == sorted(whole)
    assert all(path.is_file() for path in rebuilt.values())
    assert "fastjsonschema/__init__.py" in rebuilt
    assert rebuilt[metadata].read_text().startswith("Metadata-Version")
    fresh = archive_files(["operations"], platform=ARM, cache=tmp_path / "another")
    assert fresh[metadata].read_bytes() == rebuilt[metadata].read_bytes(), "no damage spread"


def test_the_archives_files_are_copies_so_damage_to_them_reaches_nothing_else(tmp_path):
    cache = tmp_path / "vendored"
    files = archive_files(["operations"], platform=ARM, cache=cache)

    vendored = [path for path in files.values() if cache in path.parents]
    assert "fastjsonschema/__init__.py" in files
    assert vendored
    linked = [path for path in vendored if path.stat().st_nlink != 1]
    assert not linked, "hard-linked to uv's cache, and through it to every environment"
