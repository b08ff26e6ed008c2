"""Where the project lives: the directory holding ``Pulumi.yaml``, ``function/`` and ``tests/``.

The one definition of the project root, for the Pulumi program, the local
server, the tests and the benchmark.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]


def shown(path: Path) -> str:
    """A path as a user at the project root would type it (relative when inside it)."""
    try:
        return path.resolve().relative_to(PROJECT_DIR).as_posix()
    except ValueError:
        return str(path)
