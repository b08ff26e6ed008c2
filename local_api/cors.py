"""Which origins the local server answers CORS for: pages on this machine, unless told otherwise.

A deployed stage allows the one origin its settings name. Locally the default
is pages served from this machine (``http://localhost:5173``,
``http://127.0.0.1:8080``, ``http://[::1]:3001``, any port, http or https), so
that a page on any other site cannot read or write the local tables from the
developer's browser; ``--cors-origin`` names one origin instead (``*`` any,
``none`` no CORS).
"""

from __future__ import annotations

import re

#: ``--cors-origin``'s default: the page's own origin when it is on this machine.
LOCAL_ORIGINS = "local"
_LOCAL_ORIGIN = re.compile(r"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?", re.IGNORECASE)


def is_local_origin(origin: str) -> bool:
    return _LOCAL_ORIGIN.fullmatch(origin) is not None


def allowed_origin(setting: str | None, origin: str | None) -> str | None:
    """The ``Access-Control-Allow-Origin`` to answer a request from ``origin`` with, if any.

    ``setting`` is ``--cors-origin``'s: ``None`` for no CORS, :data:`LOCAL_ORIGINS`,
    or the one origin allowed (``*`` for any).
    """
    if setting != LOCAL_ORIGINS:
        return setting
    return origin if origin and is_local_origin(origin) else None


def function_origin(setting: str | None) -> str | None:
    """``CORS_ALLOW_ORIGIN`` for the function; under the local default ``*``, narrowed later.

    The function answers every origin, as a deployed one does with ``*``; the
    local gateway then keeps its ``Access-Control-Allow-Origin`` only for a page
    on this machine, naming that page.
    """
    return "*" if setting == LOCAL_ORIGINS else setting
