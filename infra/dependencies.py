"""The distributions the code archive vendors, and their files for Lambda's platform.

The function's own pinned requirements and every plugin distribution's
declared dependencies go into the archive, recursively, at the versions
installed in the deploying environment (the lock file decides those). The
markers of each dependency are evaluated for the function's Python and
architecture, not the deploying machine's. What the Lambda runtime provides
(boto3 and its needs) stays out: a vendored copy would shadow the runtime's.

Pure-Python distributions are copied from the environment. One with native
code must be built for the function's platform, so its wheel for that
platform is downloaded from the package index, as SAM's builders do (pip's
``--platform``, ``--python-version`` and ``--only-binary``), into
``build/wheels`` and unpacked there once. Either way the files are the same
for the same versions, so the archive stays deterministic.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

from infra.project import PROJECT_DIR, shown

WHEELS_DIR = PROJECT_DIR / "build" / "wheels"
#: What the Lambda Python runtime already provides; vendoring it would shadow the runtime's copy.
RUNTIME_PROVIDED = frozenset(
    {"boto3", "botocore", "jmespath", "python-dateutil", "s3transfer", "six", "urllib3"}
)
#: Installer bookkeeping that differs per install and means nothing in Lambda.
INSTALL_RECORDS = frozenset(
    {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json", "uv_cache.json"}
)
#: This project's own distribution, which plugins may depend on: the archive has its
#: ``function`` package already, and nothing else of it runs in Lambda.
THIS_PROJECT = "dynamodb-operations-api"
#: Lambda's Python runtimes run on Amazon Linux 2023, whose glibc is 2.34.
GLIBC = (2, 34)
OLDEST_MANYLINUX = (2, 17)


class DependencyError(RuntimeError):
    """A dependency cannot go into the archive as declared; the message says what to do."""


@dataclass(frozen=True)
class LambdaPlatform:
    """Where the function runs: the Python version of its runtime, and its architecture."""

    python: str
    architecture: str

    @property
    def machine(self) -> str:
        return "aarch64" if self.architecture == "arm64" else "x86_64"

    @property
    def markers(self) -> dict[str, str]:
        """PEP 508 marker values as Lambda's interpreter would report them."""
        return {
            "implementation_name": "cpython",
            "implementation_version": f"{self.python}.0",
            "os_name": "posix",
            "platform_machine": self.machine,
            "platform_python_implementation": "CPython",
            "platform_release": "",
            "platform_system": "Linux",
            "platform_version": "",
            "python_full_version": f"{self.python}.0",
            "python_version": self.python,
            "sys_platform": "linux",
        }

    @property
    def platform_tags(self) -> list[str]:
        """The manylinux tags a wheel may carry to run here, newest first."""
        major, newest = GLIBC
        return [
            f"manylinux_{major}_{minor}_{self.machine}"
            for minor in range(newest, OLDEST_MANYLINUX[1] - 1, -1)
        ] + [f"manylinux2014_{self.machine}"]

    def __str__(self) -> str:
        return f"Python {self.python} on Linux {self.machine}"


@dataclass(frozen=True)
class Root:
    """A requirement the archive starts from, and who declares it (for messages)."""

    requirement: Requirement
    declared_by: str


def closure(
    roots: Iterable[Root], platform: LambdaPlatform
) -> list[importlib.metadata.Distribution]:
    """Every distribution the roots need on ``platform``, recursively, sorted by name."""
    found: dict[str, importlib.metadata.Distribution] = {}
    expanded: dict[str, set[str]] = {}
    pending = list(roots)
    while pending:
        root = pending.pop(0)
        name = canonicalize_name(root.requirement.name)
        if name in RUNTIME_PROVIDED or name == THIS_PROJECT:
            continue
        distribution = found.get(name) or _installed(root)
        found[name] = distribution
        extras = {"", *root.requirement.extras} - expanded.setdefault(name, set())
        if not extras:
            continue
        expanded[name] |= extras
        needed_by = f"{distribution.metadata['Name']}=={distribution.version}"
        for line in distribution.requires or ():
            requirement = _parsed(line, needed_by)
            marker = requirement.marker
            if (marker is None and "" in extras) or (
                marker is not None
                and any(marker.evaluate({**platform.markers, "extra": e}) for e in extras)
            ):
                pending.append(Root(requirement, needed_by))
    return [found[name] for name in sorted(found)]


def files_for(
    distribution: importlib.metadata.Distribution,
    platform: LambdaPlatform,
    wheels: Path = WHEELS_DIR,
) -> dict[str, Path]:
    """A distribution's files as they belong in the archive, for ``platform``."""
    if is_pure(distribution):
        return installed_files(distribution)
    return wheel_files(_platform_wheel(distribution, platform, wheels))


def is_pure(distribution: importlib.metadata.Distribution) -> bool:
    wheel = distribution.read_text("WHEEL") or ""
    return bool(re.search(r"^Root-Is-Purelib:\s*true\s*$", wheel, re.MULTILINE | re.IGNORECASE))


def installed_files(distribution: importlib.metadata.Distribution) -> dict[str, Path]:
    """The files of an installed distribution, without bytecode or install records."""
    label = f"{distribution.metadata['Name']}=={distribution.version}"
    files: dict[str, Path] = {}
    for entry in distribution.files or ():
        path = PurePosixPath(entry.as_posix())
        if ".." in path.parts or not _is_vendored(path):
            continue
        source = Path(str(distribution.locate_file(entry)))
        if not source.is_file():
            raise DependencyError(f"{label} is installed incompletely: {source} is missing")
        files[path.as_posix()] = source
    return files


def wheel_files(wheel: Path) -> dict[str, Path]:
    """A wheel's files, unpacked once next to it, as they belong in the archive."""
    unpacked = wheel.with_suffix("")
    if not unpacked.is_dir():
        partial = unpacked.with_name(unpacked.name + ".partial")
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(partial)
        partial.rename(unpacked)
    return {
        path.relative_to(unpacked).as_posix(): path
        for path in sorted(unpacked.rglob("*"))
        if path.is_file() and _is_vendored(PurePosixPath(path.relative_to(unpacked).as_posix()))
    }


def _platform_wheel(
    distribution: importlib.metadata.Distribution, platform: LambdaPlatform, wheels: Path
) -> Path:
    """The distribution's wheel for ``platform``: from ``wheels``, or else the package index."""
    name, version = distribution.metadata["Name"], distribution.version
    target = wheels / f"cp{platform.python.replace('.', '')}-{platform.machine}"
    cached = _matching_wheel(target, name, version)
    if cached is not None:
        return cached
    target.mkdir(parents=True, exist_ok=True)
    command = [
        *(sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check"),
        *("--no-deps", "--only-binary=:all:", "--implementation", "cp"),
        *("--python-version", platform.python, "--dest", str(target)),
        *(option for tag in platform.platform_tags for option in ("--platform", tag)),
        f"{name}=={version}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    downloaded = _matching_wheel(target, name, version)
    if done.returncode != 0 or downloaded is None:
        why = (done.stderr.strip().splitlines() or ["no wheel was downloaded"])[-1]
        raise DependencyError(
            f"{name}=={version} has native code, and no wheel of it for {platform} could be "
            f"had from the package index ({why}). Use a version that publishes one, build "
            f"one into {shown(target)}, or set architecture to the one it has wheels for"
        )
    return downloaded


def _matching_wheel(folder: Path, name: str, version: str) -> Path | None:
    for wheel in sorted(folder.glob("*.whl")) if folder.is_dir() else ():
        wheel_name, wheel_version, _, _ = parse_wheel_filename(wheel.name)
        if wheel_name == canonicalize_name(name) and str(wheel_version) == version:
            return wheel
    return None


def _installed(root: Root) -> importlib.metadata.Distribution:
    requirement = root.requirement
    try:
        distribution = importlib.metadata.distribution(requirement.name)
    except importlib.metadata.PackageNotFoundError:
        raise DependencyError(
            f"{root.declared_by} needs {requirement}, which is not installed in the deploying "
            f"environment; install it: pip install '{requirement}'"
        ) from None
    if _is_editable(distribution):
        raise DependencyError(
            f"{root.declared_by} needs {requirement}, which is installed in editable mode "
            "(its code stays in its source folder, outside the archive); install a built "
            f"version of it to deploy: pip install '{requirement}'"
        )
    if not requirement.specifier.contains(distribution.version, prereleases=True):
        raise DependencyError(
            f"{root.declared_by} needs {requirement}, but version {distribution.version} is "
            f"installed; install a matching version: pip install '{requirement}'"
        )
    return distribution


def _is_editable(distribution: importlib.metadata.Distribution) -> bool:
    """Installed with ``pip install -e`` or a uv editable source (PEP 660's ``direct_url.json``)."""
    direct = distribution.read_text("direct_url.json")
    if not direct:
        return False
    return bool(json.loads(direct).get("dir_info", {}).get("editable"))


def _parsed(line: str, declared_by: str) -> Requirement:
    try:
        return Requirement(line)
    except InvalidRequirement as error:
        raise DependencyError(
            f"{declared_by} declares a bad requirement {line!r}: {error}"
        ) from None


def _is_vendored(path: PurePosixPath) -> bool:
    if "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo"):
        return False
    return not (path.parent.name.endswith(".dist-info") and path.name in INSTALL_RECORDS)


def roots_of(plugins: Mapping[str, str], platform: LambdaPlatform) -> list[Root]:
    """What each plugin distribution declares it needs (its ``Requires-Dist``) on ``platform``."""
    roots = []
    for distribution_name in sorted(set(plugins.values())):
        distribution = importlib.metadata.distribution(distribution_name)
        label = f"plugin {distribution_name}=={distribution.version}"
        if not is_pure(distribution):
            raise DependencyError(
                f"{label} has native code of its own; keep the plugin pure Python and put "
                "the native code in a dependency, which is vendored for the function's platform"
            )
        for line in distribution.requires or ():
            requirement = _parsed(line, label)
            if requirement.marker is None or requirement.marker.evaluate(
                {**platform.markers, "extra": ""}
            ):
                roots.append(Root(requirement, label))
    return roots
