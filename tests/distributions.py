"""Installed distributions made on the fly, for the plugin tests and the benchmark."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def install_distribution(
    site: Path,
    name: str,
    packages: Mapping[str, Mapping[str, str]],
    *,
    entry_points: Mapping[str, str] | None = None,
    requires: tuple[str, ...] = (),
    version: str = "1.0",
    pure: bool = True,
    editable: bool = False,
) -> None:
    """Lay out an installed distribution in ``site`` as an installer does: files and dist-info.

    ``packages`` maps each package to its modules' sources; ``entry_points``
    (name to package) go in ``dynamodb_operations`` (every package by default;
    ``{}`` for a distribution that is no plugin). ``pure=False`` marks it as
    built with native code for this machine; ``editable=True`` as installed with
    ``pip install -e`` (PEP 660's ``direct_url.json``).
    """
    written = []
    for package, modules in packages.items():
        (site / package).mkdir(parents=True)
        for module, source in {"__init__": "", **modules}.items():
            (site / package / f"{module}.py").write_text(source)
            written.append(f"{package}/{module}.py")
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    metadata = [f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}"]
    metadata += [f"Requires-Dist: {requirement}" for requirement in requires]
    declared = entry_points if entry_points is not None else {p: p for p in packages}
    files = {
        "METADATA": "\n".join(metadata) + "\n",
        "WHEEL": f"Wheel-Version: 1.0\nRoot-Is-Purelib: {str(pure).lower()}\nTag: py3-none-any\n",
    }
    if editable:
        files["direct_url.json"] = '{"url": "file:///src", "dir_info": {"editable": true}}'
    if declared:
        files["entry_points.txt"] = "[dynamodb_operations]\n" + "".join(
            f"{entry} = {package}\n" for entry, package in declared.items()
        )
    for file, text in files.items():
        (info / file).write_text(text)
        written.append(f"{info.name}/{file}")
    (info / "RECORD").write_text(
        "".join(f"{path},,\n" for path in [*written, f"{info.name}/RECORD"])
    )
