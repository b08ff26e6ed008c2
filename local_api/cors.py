"""Which origins the local server answers CORS for: pages on this machine, unless told otherwise.

A deployed stage allows the one origin its settings name. Locally the default
is pages served from this machine (``http://localhost:5173``,
``http://127.0.0.1:8080``, ``http://[::1]:3001``, any port, http or https), so
that a page on any other site cannot read or write the local tables from the
developer's browser; ``--cors-origin`` names one origin instead (``*`` any,
``none`` no CORS).

CORS only stops a page reading an answer. A page can still send a "simple"
request (a ``text/plain`` POST, a form) to the local server, and the write
would happen; so a request a browser marks with an ``Origin`` the server does
not admit (:func:`admits`) is refused before any endpoint sees it. Tools that
send no ``Origin`` (curl, the SDKs) are unaffected. A deployed stage has no such
check: there the API key or IAM keeps pages out.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

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


def admits(setting: str | None, origin: str | None, host: str | None) -> bool:
    """Whether a request a browser sent from ``origin`` may reach the API at all.

    Yes for a tool that sends no ``Origin``, for the origin CORS allows, for a
    page on this machine, and for the server's own pages (``/docs``) under
    whatever ``host`` they were loaded from.
    """
    if not origin or setting == "*" or origin == setting or is_local_origin(origin):
        return True
    try:
        return bool(host) and urlsplit(origin).netloc.lower() == (host or "").lower()
    except ValueError:
        return False


def refusal_message(origin: str) -> str:
    """Why a request from a page whose origin the server does not admit is refused."""
    return (
        f"Origin not allowed: {origin} (a page there could change the local tables; start "
        f"the server with --cors-origin {origin} to allow it)"
    )
