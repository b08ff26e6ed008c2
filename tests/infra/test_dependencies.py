"""A plugin's dependencies travel with it: recursively, for Lambda's Python and architecture."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from infra.archive import ArchiveError, archive_files
from infra.dependencies import LambdaPlatform
from tests.conftest import install_distribution

ARM = LambdaPlatform("3.13", "arm64")
OP = {"op": "from function.registry import operation\n"}
#: What a compiled extension module would be; the archive must carry these bytes as they are.
NATIVE_CODE = b"\x7fELF compiled for aarch64"


def plugin_archive(site: Path, tmp_path: Path, **options) -> dict[str, Path]:
    """The archive of the stock operations and the plugin ``acme-ops`` (package ``acme_ops``)."""
    return archive_files(
        ["operations", "acme_ops"],
        plugins={"acme_ops": "acme-ops"},
        wheels=tmp_path / "wheels",
        **{"platform": ARM, **options},
    )


def tops(files: dict[str, Path]) -> set[str]:
    return {name.split("/")[0] for name in files}


def test_dependencies_come_recursively_with_markers_read_for_lambdas_python(
    site_packages, tmp_path
):
    install_distribution(
        site_packages, "acme-ops", {"acme_ops": OP}, requires=("acme-helpers[fast]>=1",)
    )
    install_distribution(
        site_packages,
        "acme-helpers",
        {"acme_helpers": {}},
        entry_points={},
        requires=(
            "acme-base",
            "acme-new; python_version >= '3.13'",
            "acme-old; python_version < '3.12'",
            "acme-speedups; extra == 'fast'",
            "acme-docs; extra == 'docs'",
            "boto3>=1.20",
        ),
    )
    for name in ("acme-base", "acme-new", "acme-old", "acme-speedups", "acme-docs"):
        install_distribution(site_packages, name, {name.replace("-", "_"): {}}, entry_points={})

    files = plugin_archive(site_packages, tmp_path)

    assert {"acme_ops", "acme_helpers", "acme_base", "acme_new", "acme_speedups"} <= tops(files)
    assert not tops(files) & {"acme_old", "acme_docs", "boto3", "botocore"}
    assert "acme_helpers-1.0.dist-info/METADATA" in files
    assert "acme_ops-1.0.dist-info/METADATA" not in files, "the plugin ships as its package"


def test_dependencies_that_need_each_other_are_vendored_once(site_packages, tmp_path):
    install_distribution(site_packages, "acme-ops", {"acme_ops": OP}, requires=("acme-a",))
    install_distribution(
        site_packages, "acme-a", {"acme_a": {}}, entry_points={}, requires=("acme-b[x]",)
    )
    install_distribution(
        site_packages,
        "acme-b",
        {"acme_b": {}},
        entry_points={},
        requires=("acme-a", "acme-c; extra == 'x'"),
    )
    install_distribution(site_packages, "acme-c", {"acme_c": {}}, entry_points={})

    files = plugin_archive(site_packages, tmp_path)

    assert {"acme_a", "acme_b", "acme_c"} <= tops(files)


def test_an_editable_dependency_is_refused_its_code_would_stay_behind(site_packages, tmp_path):
    install_distribution(site_packages, "acme-ops", {"acme_ops": OP}, requires=("acme-lib",))
    install_distribution(
        site_packages, "acme-lib", {"acme_lib": {}}, entry_points={}, editable=True
    )

    with pytest.raises(ArchiveError, match=r"needs acme-lib, which is installed in editable mode"):
        plugin_archive(site_packages, tmp_path)


def test_a_dependency_missing_from_the_environment_is_named_with_who_needs_it(
    site_packages, tmp_path
):
    install_distribution(site_packages, "acme-ops", {"acme_ops": OP}, requires=("acme-gone>=2",))

    with pytest.raises(ArchiveError) as refused:
        plugin_archive(site_packages, tmp_path)

    assert str(refused.value) == (
        "plugin acme-ops==1.0 needs acme-gone>=2, which is not installed in the deploying "
        "environment; install it: pip install 'acme-gone>=2'"
    )


def test_an_installed_version_outside_the_declared_range_is_refused(site_packages, tmp_path):
    install_distribution(site_packages, "acme-ops", {"acme_ops": OP}, requires=("acme-base<1",))
    install_distribution(site_packages, "acme-base", {"acme_base": {}}, entry_points={})

    with pytest.raises(ArchiveError, match=r"needs acme-base<1, but version 1.0 is installed"):
        plugin_archive(site_packages, tmp_path)


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
    """``acme-ops`` needs ``acme-native``, installed here built for this machine, not Lambda's."""
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
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(index))
    return index


def test_native_code_comes_from_the_wheel_for_lambdas_platform_not_the_environment(
    native_dependency, site_packages, tmp_path
):
    files = plugin_archive(site_packages, tmp_path)

    native = files["acme_native/_speed.cpython-313-aarch64-linux-gnu.so"]
    assert native.read_bytes() == NATIVE_CODE
    assert files["acme_native/__init__.py"].read_text() == "from acme_native._speed import *\n"
    assert "acme_native-2.0.dist-info/RECORD" not in files


def test_the_platform_wheel_is_fetched_once_and_the_archive_is_the_same_every_time(
    native_dependency, site_packages, tmp_path
):
    first = plugin_archive(site_packages, tmp_path)
    for wheel in native_dependency.iterdir():
        wheel.unlink()

    second = plugin_archive(site_packages, tmp_path)

    assert second == first
    assert [path.read_bytes() for path in second.values()] == [
        path.read_bytes() for path in first.values()
    ]


def test_no_wheel_for_the_functions_architecture_fails_naming_the_package_and_what_to_do(
    native_dependency, site_packages, tmp_path
):
    with pytest.raises(ArchiveError) as refused:
        plugin_archive(site_packages, tmp_path, platform=LambdaPlatform("3.13", "x86_64"))

    message = str(refused.value)
    assert message.startswith(
        "acme-native==2.0 has native code, and no wheel of it for Python 3.13 on Linux x86_64 "
        "could be had from the package index ("
    )
    assert "or set architecture to the one it has wheels for" in message


def test_a_plugin_with_native_code_of_its_own_is_refused(site_packages, tmp_path):
    install_distribution(site_packages, "acme-ops", {"acme_ops": OP}, pure=False)

    with pytest.raises(ArchiveError, match=r"^plugin acme-ops==1.0 has native code of its own"):
        plugin_archive(site_packages, tmp_path)
