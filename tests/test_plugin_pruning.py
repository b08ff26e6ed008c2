"""Removing a plugin removes it: what make runs after each sync uninstalls plugins the lock dropped.

The end-to-end test lays plugin distributions into a scratch virtualenv, as uv
installs them (one of them editable, its source elsewhere), runs the pruner with
that environment's Python and a lock naming only some of them, and asks that
environment which plugins it still finds.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from function.registry import Registry
from infra.plugin_pruning import PruningError, stale_plugins
from infra.settings import without_unlocked_plugins
from tests.distributions import install_distribution
from tests.test_plugins import dev_settings

ROOT = Path(__file__).resolve().parents[1]

OPERATION = """
from function.registry import operation


@operation("{name}")
def run(call):
    return "{name}"
"""

#: Run in a scratch environment: the plugins it finds, as [distribution, package] pairs.
FOUND = (
    "import json; from function.operation_packages import installed_plugins; "
    "print(json.dumps([[p.distribution, p.package] for p in installed_plugins()]))"
)


def plugin(name: str) -> dict[str, dict[str, str]]:
    """A plugin's one package, ``acme_notes`` for ``acme-notes``, serving operation ``name``."""
    return {name.lower().replace("-", "_"): {"run": OPERATION.format(name=name)}}


def write_lock(path: Path, *names: str) -> Path:
    """A uv.lock pinning the project and ``names`` (uv writes them normalized; a person may not)."""
    packages = ["dynamodb-operations-api", *names]
    path.write_text(
        "version = 1\n"
        + "".join(f'\n[[package]]\nname = "{name}"\nversion = "1.0"\n' for name in packages)
    )
    return path


def install_editable(site: Path, source: Path, name: str) -> None:
    """Install ``name`` as uv installs an editable: dist-info and a .pth naming its source."""
    install_distribution(source, name, plugin(name), editable=True)
    info = next(source.glob("*.dist-info"))
    shutil.move(info, site / info.name)
    pth = f"__editable__.{name}.pth"
    (site / pth).write_text(f"{source}\n")
    recorded = [f"{info.name}/{file.name}" for file in (site / info.name).iterdir()]
    (site / info.name / "RECORD").write_text("".join(f"{path},,\n" for path in [*recorded, pth]))


def uv_executable() -> str:
    """The uv make uses: ``UV`` as make was told, the one make fetched, or one on PATH."""
    for candidate in (os.environ.get("UV"), ".local/uv/bin/uv", shutil.which("uv")):
        if candidate and (ROOT / candidate).is_file():
            return str(ROOT / candidate)
    if os.environ.get("CI"):
        pytest.fail("no uv: make fetches one into .local/uv")
    pytest.skip("no uv: run make once, or put uv on PATH")


def scratch_environment(folder: Path) -> tuple[Path, Path]:
    """A new virtualenv with nothing installed: its Python and its site-packages."""
    venv.create(folder, with_pip=False)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    return folder / "bin" / "python", folder / "lib" / version / "site-packages"


def run_in(python: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python`` run with this checkout importable, as make runs it from the project's root."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    environment.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [str(python), *args], capture_output=True, text=True, check=False, env=environment
    )


def test_the_plugins_the_lock_no_longer_lists_are_uninstalled_and_the_rest_stay(tmp_path):
    python, site = scratch_environment(tmp_path / "venv")
    install_distribution(site, "acme-gone", plugin("acme-gone"))
    install_editable(site, tmp_path / "acme-notes", "acme-notes")
    install_distribution(site, "Acme_Kept", plugin("Acme_Kept"))
    install_distribution(site, "left-alone", {"left_alone": {}}, entry_points={})
    lock = write_lock(tmp_path / "uv.lock", "acme-kept")
    before = run_in(python, "-c", FOUND)

    pruned = run_in(
        python, "-m", "infra.plugin_pruning", "--lock", str(lock), "--uv", uv_executable()
    )
    found = run_in(python, "-c", FOUND)

    assert json.loads(before.stdout) == [
        ["acme-gone", "acme_gone"],
        ["Acme_Kept", "acme_kept"],
        ["acme-notes", "acme_notes"],
    ], before.stderr
    assert pruned.returncode == 0, pruned.stderr
    assert pruned.stdout.splitlines() == [
        "removed plugin acme-gone (no longer in uv.lock)",
        "removed plugin acme-notes (no longer in uv.lock)",
    ]
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout) == [["Acme_Kept", "acme_kept"]]
    assert not (site / "acme_gone").exists()
    assert not list(site.glob("acme_gone-*")) + list(site.glob("acme_notes-*"))
    assert (tmp_path / "acme-notes" / "acme_notes" / "run.py").exists(), "its source stays"
    assert (site / "left_alone").is_dir(), "a distribution that is no plugin is left alone"


def test_when_uv_cannot_uninstall_the_target_fails_naming_the_plugins(tmp_path):
    python, site = scratch_environment(tmp_path / "venv")
    install_distribution(site, "acme-gone", plugin("acme-gone"))
    lock = write_lock(tmp_path / "uv.lock")

    pruned = run_in(python, "-m", "infra.plugin_pruning", "--lock", str(lock), "--uv", "false")

    assert pruned.returncode == 1
    assert pruned.stdout == ""
    assert "plugin pruning: false could not uninstall acme-gone" in pruned.stderr


def test_names_are_compared_as_pep_503_normalizes_them(tmp_path):
    install_distribution(tmp_path, "Acme.Kept", plugin("acme-kept"))
    install_distribution(tmp_path, "acme-other", plugin("acme-other"))
    install_distribution(tmp_path, "acme_gone", plugin("acme-gone"))

    lock = write_lock(tmp_path / "uv.lock", "acme-kept", "Acme_Other")

    assert stale_plugins(lock, [str(tmp_path)]) == ["acme_gone"]


def test_when_the_lock_names_every_installed_plugin_none_is_stale(tmp_path):
    install_distribution(tmp_path, "acme-kept", plugin("acme-kept"))
    install_distribution(tmp_path, "acme-other", plugin("acme-other"))

    lock = write_lock(tmp_path / "uv.lock", "acme-kept", "acme-other")

    assert stale_plugins(lock, [str(tmp_path)]) == []


def test_with_no_plugin_installed_the_lock_is_not_even_read(tmp_path):
    install_distribution(tmp_path, "left-alone", {"left_alone": {}}, entry_points={})

    assert stale_plugins(tmp_path / "missing.lock", [str(tmp_path)]) == []


def test_a_lock_that_cannot_be_read_fails_naming_it(tmp_path):
    install_distribution(tmp_path, "acme-gone", plugin("acme-gone"))
    (tmp_path / "uv.lock").write_text("[[package]\n")

    with pytest.raises(PruningError, match=r"cannot read .*uv\.lock"):
        stale_plugins(tmp_path / "uv.lock", [str(tmp_path)])


def test_the_pulumi_program_leaves_out_a_plugin_the_lock_dropped_saying_so(site_packages, tmp_path):
    """Pulumi's own sync removes nothing: the program must not deploy what uv.lock dropped."""
    install_distribution(site_packages, "acme-gone", plugin("acme-gone"))
    install_distribution(site_packages, "acme-kept", plugin("acme-kept"))
    settings = dev_settings()
    lock = write_lock(tmp_path / "uv.lock", "acme-kept")

    deployed = without_unlocked_plugins(settings, lock, [str(site_packages)])

    assert {"acme_gone", "acme_kept"} <= set(settings.operation_packages)
    assert "acme_gone" not in deployed.operation_packages
    assert "acme_kept" in deployed.operation_packages
    assert "acme_gone" not in deployed.plugins
    assert deployed.warnings[-1] == (
        "plugin acme-gone is installed but uv.lock no longer lists it: left out "
        "(any make target uninstalls it)"
    )
    assert "acme-gone" not in Registry(deployed.operation_packages).all()


def test_a_copy_of_the_project_without_a_lock_keeps_every_plugin(site_packages, tmp_path):
    install_distribution(site_packages, "acme-kept", plugin("acme-kept"))
    settings = dev_settings()

    assert without_unlocked_plugins(settings, tmp_path / "uv.lock", [str(site_packages)]) == (
        settings
    )
