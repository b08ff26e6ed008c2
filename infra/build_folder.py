"""A folder under ``build/`` made once per set of inputs, and seen whole or not at all.

It is built in a scratch folder beside it and renamed into place once complete, so a build
killed midway never shows. A digest of each file, recorded last, tells a whole folder from one
damaged since (by hand, or by a full disk): that one is rebuilt. Builds of one folder take
turns (a lock file beside it), so none removes a folder another has just built and returned,
and a build clears what killed builds of its folder left.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: builds of one folder must not overlap there.
    fcntl = None  # type: ignore[assignment]

#: Each file's SHA-256, written once the build is complete.
DIGESTS = ".digests.json"


class BuildFolderError(RuntimeError):
    """A damaged folder cannot be replaced; the message names it."""


def built_once(folder: Path, build: Callable[[Path], None]) -> dict[str, Path]:
    """``{relative path: file}`` in ``folder``; ``build(scratch)`` fills it unless it is whole."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with _turn(folder.parent / f".{folder.name}.lock"):
        found = _whole(folder)
        if found is None:
            try:
                if folder.is_symlink() or folder.is_file():
                    folder.unlink()
                elif folder.exists():
                    shutil.rmtree(folder)
                partial = f".partial-{folder.name}-"  # Left by a killed build of this folder.
                for leftover in folder.parent.glob(f"{partial}*"):
                    shutil.rmtree(leftover, ignore_errors=True)
                with tempfile.TemporaryDirectory(dir=folder.parent, prefix=partial) as scratch:
                    build(Path(scratch, "out"))
                    found = _digests(Path(scratch, "out"))
                    Path(scratch, "out", DIGESTS).write_text(json.dumps(found))
                    Path(scratch, "out").rename(folder)
            except OSError as error:
                raise BuildFolderError(
                    f"{folder} is incomplete or damaged and cannot be rebuilt ({error}): "
                    "delete it by hand"
                ) from error
    return {name: folder / name for name in sorted(found)}


@contextmanager
def _turn(lock: Path) -> Iterator[None]:
    with lock.open("ab") as held:
        if fcntl is not None:
            fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        yield


def _whole(folder: Path) -> dict[str, str] | None:
    """The folder's digests if they are those recorded when it was built, else ``None``."""
    if folder.is_symlink() or not folder.is_dir():
        return None
    found = _digests(folder)
    return found if found == _recorded(folder) else None


def _digests(folder: Path) -> dict[str, str]:
    files = (path for path in folder.rglob("*") if path.is_file() and path.name != DIGESTS)
    return {path.relative_to(folder).as_posix(): _digest(path) for path in files}


def _digest(path: Path) -> str:
    if path.is_symlink():
        return f"link to {path.readlink()}"
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _recorded(folder: Path) -> dict[str, str] | None:
    try:
        return dict(json.loads((folder / DIGESTS).read_text()))
    except (OSError, ValueError, TypeError, RecursionError):
        return None
