"""The archive's third-party part: installed by uv, at ``uv.lock``'s versions, for Lambda.

What the function declares (``[project] dependencies``) and what each installed plugin
distribution declares go to ``uv pip install --target``, with the lock's versions as
constraints, from wheels for the function's Python and machine (manylinux, glibc 2.34 as on
Amazon Linux 2023); once per set of inputs, into ``build/vendored``. Hand-written, as uv has
no option for them: reading the plugins' declarations (they are installed, not declared by
this project), leaving out what the runtime provides (a copy would shadow it), keeping the
install records out of the archive, and naming the package that has no wheel.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import uv

from infra.project import PROJECT_DIR

VENDORED_DIR = PROJECT_DIR / "build" / "vendored"
#: What the Lambda Python runtime provides: a vendored copy would shadow the runtime's.
RUNTIME_PROVIDED = (
    "boto3",
    "botocore",
    "jmespath",
    "python-dateutil",
    "s3transfer",
    "six",
    "urllib3",
)
#: This project, which plugins may depend on: the archive has its ``function`` package already.
THIS_PROJECT = "dynamodb-operations-api"
#: Every locked version (installed or not), as constraints.
EXPORT = ["export", "--frozen", "--no-hashes", "--all-groups", "--all-extras", "--no-emit-local"]
#: The target's lock and scripts, bytecode, and the install records (they differ per install).
NOT_VENDORED = re.compile(
    r"^(\.lock|\.manifest\.json|bin/.*|[^/]+\.dist-info/(RECORD|INSTALLER|REQUESTED|direct_url\.json|uv_cache\.json))$"
    r"|(^|/)__pycache__/|\.pyc$"
)
NO_WHEEL = re.compile(r"Because (?:all versions of )?(\S+) ha(?:s|ve) no (?:usable )?wheels")
#: Each installed file's size, written last: an entry without it, or unlike it, is rebuilt.
MANIFEST = ".manifest.json"


class DependencyError(RuntimeError):
    """A dependency cannot go into the archive; the message names it and says what to do."""


@dataclass(frozen=True)
class LambdaPlatform:
    python: str
    architecture: str

    @property
    def machine(self) -> str:
        return "aarch64" if self.architecture == "arm64" else "x86_64"

    def __str__(self) -> str:
        return f"Python {self.python} on Linux {self.machine}"


def vendored_files(
    project: Path, plugins: Mapping[str, str], platform: LambdaPlatform, cache: Path = VENDORED_DIR
) -> dict[str, Path]:
    """The third-party files, ``{path in the archive: file}``, installed once per set of inputs."""
    declared = tomllib.loads((project / "pyproject.toml").read_text())["project"]["dependencies"]
    requirements = [*declared, *map(_declared, sorted(set(plugins.values())))]
    lock = project / "uv.lock"
    locked = lock.read_text() if lock.is_file() else ""
    key = repr((requirements, locked, platform, RUNTIME_PROVIDED, THIS_PROJECT))
    site = cache / hashlib.sha256(key.encode()).hexdigest()[:16]
    if site.is_dir() and not _intact(site):
        shutil.rmtree(site)
    if not site.is_dir():  # Installed in a scratch folder, moved into place once complete.
        site.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=site.parent, prefix=".partial-") as scratch:
            inputs = {
                "requirements": "\n".join(requirements),
                "constraints": _uv(project, *EXPORT) if locked else "",
                "excludes": "\n".join([*RUNTIME_PROVIDED, THIS_PROJECT]),
            }
            for kind, text in inputs.items():
                Path(scratch, kind).write_text(text + "\n")
            _uv(
                project,
                *("pip", "install", "--quiet", "--python", sys.executable),
                *("--target", f"{scratch}/site", "--only-binary", ":all:"),
                *("--python-version", platform.python),
                *("--python-platform", f"{platform.machine}-manylinux_2_34"),
                *(option for kind in inputs for option in (f"--{kind}", f"{scratch}/{kind}")),
                platform=platform,
            )
            _write_manifest(Path(scratch, "site"))
            try:
                Path(scratch, "site").rename(site)
            except OSError:  # Another process installed the same meanwhile: its files are equal.
                if not site.is_dir():
                    raise
    found = (path.relative_to(site).as_posix() for path in site.rglob("*") if path.is_file())
    return {name: site / name for name in sorted(found) if not NOT_VENDORED.search(name)}


def _write_manifest(site: Path) -> None:
    sizes = {
        p.relative_to(site).as_posix(): p.stat().st_size for p in site.rglob("*") if p.is_file()
    }
    (site / MANIFEST).write_text(json.dumps(sizes, sort_keys=True))


def _intact(site: Path) -> bool:
    """Every file the install left is there at its size (someone may have damaged build/)."""
    try:
        sizes = json.loads((site / MANIFEST).read_text())
        return all((site / name).stat().st_size == size for name, size in sizes.items())
    except (OSError, ValueError, AttributeError):
        return False


def _declared(name: str) -> str:
    """What a plugin distribution needs; its own code goes in as its packages' sources."""
    found = importlib.metadata.distribution(name)
    if not re.search(r"^Root-Is-Purelib:\s*true\s*$", found.read_text("WHEEL") or "", re.M | re.I):
        raise DependencyError(
            f"plugin {name}=={found.version} has native code of its own; keep the plugin pure "
            "Python, and its native code in a dependency, vendored for the function's platform"
        )
    return "\n".join(found.requires or ())


def _uv(project: Path, *arguments: str, platform: LambdaPlatform | None = None) -> str:
    run = subprocess.run(
        [uv.find_uv_bin(), *arguments], cwd=project, capture_output=True, text=True
    )
    if missing := NO_WHEEL.search(run.stderr):
        raise DependencyError(
            f"{missing[1]} has no wheel for {platform}, and the archive takes only wheels: use "
            "a version that publishes one, or set architecture to one it has wheels for"
        )
    if run.returncode != 0:
        raise DependencyError(f"uv {arguments[0]} failed for the archive: {run.stderr.strip()}")
    return run.stdout
