"""The archive's third-party part: what the function and the installed plugins declare, installed
by uv for Lambda's Python and machine at ``uv.lock``'s versions, once per set of inputs. Why some
of it is still written by hand: docs/architecture.md, "The archive".
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import uv

from infra.build_folder import built_once
from infra.project import PROJECT_DIR

VENDORED_DIR = PROJECT_DIR / "build" / "vendored"
#: What Lambda's Python runtime provides: a vendored copy would shadow the runtime's.
IN_RUNTIME = ("boto3", "botocore", "jmespath", "python-dateutil", "s3transfer", "six", "urllib3")
#: uv's lock and scripts, bytecode, and the install records (they differ per install).
NOT_VENDORED = re.compile(
    r"^(\.lock|bin/.*|[^/]+\.dist-info/(RECORD|INSTALLER|REQUESTED|direct_url\.json|uv_cache\.json))$"
    r"|(^|/)__pycache__/|\.pyc$"
)


class DependencyError(RuntimeError):
    """A dependency cannot go into the archive; the message names it and says why."""


class LambdaPlatform(NamedTuple):
    python: str
    architecture: str


def vendored_files(
    project: Path, plugins: Mapping[str, str], platform: LambdaPlatform, cache: Path = VENDORED_DIR
) -> dict[str, Path]:
    """The third-party files, ``{path in the archive: file}``."""
    metadata = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    lock = project / "uv.lock"
    inputs = {  # Plugins may depend on this project, whose function package is in already.
        "requirements": [*metadata["dependencies"], *map(_declared, sorted(set(plugins.values())))],
        "excludes": [*IN_RUNTIME, metadata["name"]],
        "constraints": [lock.read_text()] if lock.is_file() else [],
    }
    key = hashlib.sha256(repr((inputs, platform)).encode()).hexdigest()[:16]
    files = built_once(cache / key, lambda site: _install(project, inputs, platform, site))
    return {name: path for name, path in files.items() if not NOT_VENDORED.search(name)}


def _install(
    project: Path, inputs: dict[str, list[str]], platform: LambdaPlatform, site: Path
) -> None:
    machine = "aarch64" if platform.architecture == "arm64" else "x86_64"
    if inputs["constraints"]:  # Every locked version, whether installed here or not.
        export = ("--frozen", "--no-hashes", "--all-groups", "--all-extras", "--no-emit-local")
        inputs = {**inputs, "constraints": [_uv(project, "export", *export)]}
    with tempfile.TemporaryDirectory() as listed:
        for kind, lines in inputs.items():
            Path(listed, kind).write_text("\n".join(lines) + "\n")
        _uv(
            project,
            *("pip", "install", "--quiet", "--python", sys.executable, "--target", str(site)),
            *("--only-binary", ":all:", "--python-version", platform.python),
            *("--python-platform", f"{machine}-manylinux_2_34"),
            *(option for kind in inputs for option in (f"--{kind}", f"{listed}/{kind}")),
        )


def _declared(name: str) -> str:
    """What a plugin distribution needs; its own code goes in as its packages' sources."""
    found = importlib.metadata.distribution(name)
    if not re.search(r"^Root-Is-Purelib:\s*true\s*$", found.read_text("WHEEL") or "", re.M | re.I):
        raise DependencyError(
            f"plugin {name}=={found.version} has native code of its own; keep the plugin pure "
            "Python, and its native code in a dependency, vendored for the function's platform"
        )
    return "\n".join(found.requires or ())


def _uv(project: Path, *arguments: str) -> str:
    run = subprocess.run(
        [uv.find_uv_bin(), *arguments], cwd=project, capture_output=True, text=True
    )
    if run.returncode != 0:  # uv names a package with no wheel, and the platforms it has.
        raise DependencyError(f"uv {arguments[0]} failed for the archive: {run.stderr.strip()}")
    return run.stdout
