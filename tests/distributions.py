"""Installed distributions made on the fly, for the plugin tests and the benchmark."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from function import operation_packages


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


@contextmanager
def installed_at(site: Path) -> Iterator[Path]:
    """``site``'s distributions installed for a while: on the path, and found by the registry.

    On the way out the modules imported from it are forgotten, and so is what was found.
    """
    sys.path.insert(0, str(site))
    operation_packages.refresh()
    try:
        yield site
    finally:
        sys.path.remove(str(site))
        for name, module in list(sys.modules.items()):
            if str(site) in str(getattr(module, "__file__", None) or ""):
                del sys.modules[name]
        operation_packages.refresh()
