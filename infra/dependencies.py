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
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import uv
from packaging.requirements import InvalidRequirement, Requirement

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
    lock, distributions = project / "uv.lock", sorted(set(plugins.values()))
    inputs = {  # This project and the plugins go in as sources (plugins may depend on them).
        "requirements": [*metadata["dependencies"], *map(_declared, distributions)],
        "excludes": [*IN_RUNTIME, metadata["name"], *distributions],
        "constraints": [lock.read_text()] if lock.is_file() else [],
    }
    key = hashlib.sha256(repr((inputs, platform)).encode()).hexdigest()[:16]
    files = built_once(cache / key, lambda site: _install(project, inputs, platform, site))
    return {name: path for name, path in files.items() if not NOT_VENDORED.search(name)}


def _install(
    project: Path, inputs: dict[str, list[str]], platform: LambdaPlatform, site: Path
) -> None:
    """Into ``site``, whose parent is a scratch folder of the build's own (``built_once``)."""
    machine = "aarch64" if platform.architecture == "arm64" else "x86_64"
    if inputs["constraints"]:  # Every locked version, whether installed here or not.
        export = ("--frozen", "--no-hashes", "--all-groups", "--all-extras", "--no-emit-local")
        inputs = {**inputs, "constraints": [_uv(project, "export", *export)]}
    for kind, lines in inputs.items():
        (site.parent / kind).write_text("\n".join(lines) + "\n")
    _uv(
        project,
        *("pip", "install", "--quiet", "--python", sys.executable, "--target", str(site)),
        *("--only-binary", ":all:", "--python-version", platform.python),
        *("--link-mode", "copy"),  # A hard link would share a damaged file with uv's cache.
        *("--python-platform", f"{machine}-manylinux_2_34"),
        *(option for kind in inputs for option in (f"--{kind}", f"{site.parent}/{kind}")),
    )


def _declared(name: str) -> str:
    """What a plugin distribution needs, as requirements, never as uv's options."""
    found = importlib.metadata.distribution(name)
    if re.search(r"^Root-Is-Purelib: *false", found.read_text("WHEEL") or "", re.M | re.I):
        raise DependencyError(
            f"plugin {name}=={found.version} has native code of its own; keep the plugin pure "
            "Python, and its native code in a dependency, vendored for the function's platform"
        )
    try:
        return "\n".join(str(Requirement(line)) for line in found.requires or ())
    except InvalidRequirement as error:
        raise DependencyError(f"plugin {name}: {error}") from None


def _uv(project: Path, *args: str) -> str:
    run = subprocess.run([uv.find_uv_bin(), *args], cwd=project, capture_output=True, text=True)
    if run.returncode != 0:  # uv names a package with no wheel, and the platforms it has.
        raise DependencyError(f"uv {args[0]} failed for the archive: {run.stderr.strip()}")
    return run.stdout
