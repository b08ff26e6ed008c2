"""Where the project lives: the directory holding ``Pulumi.yaml``, ``function/`` and ``tests/``.

The one definition of the project root, for the Pulumi program, the local
server, the tests and the benchmark.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
