"""``make serve``'s API key for an ``apiKey`` stack: one per stack, kept across restarts.

A key that changed at every start would break every curl, script and client
set up with the last one. So the first start writes a random key beside the
stack's kept tables (``.local/data/<stack>/api-key``, which git ignores),
readable by its owner only, and later starts read it back; ``--fresh`` empties
the tables and keeps the key. Replace the file's content to choose a key, or
delete the file for a new one.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
from pathlib import Path

from infra.project import shown

KEY_FILE = "api-key"
#: Only the owner may read or write the key.
MODE = 0o600
#: What a header can carry: printable ASCII without spaces; API Gateway's keys are 20-128.
_MOST = 128
_KEY = re.compile(rb"[!-~]{1,128}")


class LocalKeyError(RuntimeError):
    """The kept key cannot be read or written; the message names the file."""


def key_file(data_dir: Path, stack: str) -> Path:
    """Where ``stack``'s key is kept: beside the engines' folders of its tables."""
    return data_dir / stack / KEY_FILE


def kept_key(path: Path) -> str:
    """The key kept in ``path``; a new random one, written there first, if there is none."""
    try:
        try:
            return _read(path)
        except FileNotFoundError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        draft.unlink(missing_ok=True)
        # Created with the owner's permissions only: never a moment readable by others.
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, MODE)
        with os.fdopen(descriptor, "w") as written:
            written.write(secrets.token_urlsafe(24) + "\n")
        try:
            # A link, not a rename: a key another start wrote meanwhile is kept, not replaced.
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
        return _read(path)
    except OSError as error:
        raise LocalKeyError(f"the API key file {shown(path)}: {error.strerror or error}") from None


def _read(path: Path) -> str:
    """The key in ``path``, opened without following a link: a key file is a plain file."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise LocalKeyError(
                f"the API key file {shown(path)} is a symbolic link; delete it for a new key"
            ) from None
        raise
    with os.fdopen(descriptor, "rb") as kept:
        held = kept.read(_MOST + 1).strip()
        mode = os.fstat(kept.fileno()).st_mode
        if not _KEY.fullmatch(held):
            raise LocalKeyError(
                f"the API key file {shown(path)} holds no key (one line of at most {_MOST} "
                "printable ASCII characters, no spaces); delete it for a new one"
            )
        if stat.S_IMODE(mode) & ~MODE:
            os.fchmod(kept.fileno(), MODE)
    return held.decode("ascii")
