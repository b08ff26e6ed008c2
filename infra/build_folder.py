"""A folder under ``build/`` made once per set of inputs, and seen whole or not at all.

It is built in a scratch folder beside it and renamed into place once complete, so a build
killed midway, or running beside another, never shows. The size of each file, recorded last,
tells a whole folder from one damaged since (by hand, or by a full disk): that one is rebuilt.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

#: Each file's size, written once the build is complete.
SIZES = ".sizes.json"


def built_once(folder: Path, build: Callable[[Path], None]) -> dict[str, Path]:
    """``{relative path: file}`` in ``folder``; ``build(scratch)`` fills it unless it is whole."""
    if _sizes(folder) != _recorded(folder):
        shutil.rmtree(folder, ignore_errors=True)
        folder.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder.parent, prefix=".partial-") as scratch:
            build(Path(scratch, "out"))
            Path(scratch, "out", SIZES).write_text(json.dumps(_sizes(Path(scratch, "out"))))
            try:
                Path(scratch, "out").rename(folder)
            except OSError:  # A build beside this one was renamed first, with the same inputs.
                if not folder.is_dir():
                    raise
    return {name: folder / name for name in sorted(_sizes(folder))}


def _sizes(folder: Path) -> dict[str, int]:
    files = (path for path in folder.rglob("*") if path.is_file() and path.name != SIZES)
    return {path.relative_to(folder).as_posix(): path.stat().st_size for path in files}


def _recorded(folder: Path) -> dict[str, int] | None:
    try:
        return dict(json.loads((folder / SIZES).read_text()))
    except (OSError, ValueError, TypeError):
        return None
