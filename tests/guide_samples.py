"""The code samples of ``docs/writing-operations.md``, as the tests run them.

A sample is the fenced block after a ``<!-- sample: NAME -->`` line, so the
guide shows exactly the code a test runs.
"""

from __future__ import annotations

import re

from infra.project import PROJECT_DIR

GUIDE = PROJECT_DIR / "docs" / "writing-operations.md"
_SAMPLE = re.compile(r"<!-- sample: (?P<name>[\w-]+) -->\n```\w*\n(?P<code>.*?)```", re.DOTALL)


def samples() -> dict[str, str]:
    """Every sample of the guide: its name and its code."""
    return {match["name"]: match["code"] for match in _SAMPLE.finditer(GUIDE.read_text())}


def sample(name: str) -> str:
    """The code of the guide's sample ``name``."""
    found = samples()
    assert name in found, f"the guide has no sample {name!r} (it has {sorted(found)})"
    return found[name]
