"""Which ``Host`` the local server answers: its own names, so DNS rebinding reaches nothing.

A page on ``evil.example`` can have a browser resolve ``evil.example`` to
127.0.0.1 and send requests, which carry ``Host: evil.example``: answering
only the names the server goes by (``localhost``, the loopback addresses, the
address it listens on, each ``--allowed-host``) turns them away. A request with
no ``Host`` at all (an HTTP/1.0 tool) comes from no browser and is answered.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from local_api.gateway import HttpResponse

#: The names every local server answers to, on any port.
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
#: ``--allowed-host '*'``: any Host (behind a proxy that checks it, say).
ANY_HOST = "*"


def is_loopback(address: str) -> bool:
    """Whether listening on ``address`` keeps the server to this machine."""
    if address.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def host_name(host: str) -> str:
    """The name in a ``Host`` header, without its port or an IPv6 address's brackets."""
    host = host.strip().lower()
    if host.startswith("["):
        address, _, rest = host[1:].partition("]")
        # Only a port may follow the brackets: "[::1]evil.example" names no address of ours.
        return address if not rest or re.fullmatch(r":\d*", rest) else host
    if host.count(":") == 1:
        host = host.partition(":")[0]
    return host.rstrip(".")


def authority_of(target: str) -> str | None:
    """The host an absolute-form request target names (``http://a.example:80/x``), if any."""
    scheme, separator, rest = target.partition("://")
    if not separator or scheme.lower() not in ("http", "https"):
        return None
    return rest.split("/", 1)[0].split("?", 1)[0].rpartition("@")[2]


@dataclass(frozen=True)
class AllowedHosts:
    """The ``Host`` names a server answers; any other gets a 403 before any endpoint sees it."""

    names: frozenset[str]

    @classmethod
    def serving(cls, bound: str, extra: Iterable[str] = ()) -> AllowedHosts:
        """The loopback names, the address ``bound`` and the ``extra`` names given."""
        return cls(frozenset(host_name(name) for name in (*LOOPBACK_NAMES, bound, *extra)))

    def allows(self, host: str | None) -> bool:
        return not host or ANY_HOST in self.names or host_name(host) in self.names

    def allows_request(self, host: str | None, target: str) -> str | None:
        """The name refused for a request with this ``Host`` and request target, if any.

        An absolute-form target (``POST http://evil.example/DynamoDBManager``)
        names the host itself, and takes precedence over the header (RFC 9112,
        3.2.2), so it must be allowed too.
        """
        authority = authority_of(target)
        for name in (host, authority):
            if name is not None and not self.allows(name):
                return name
        return None

    def refusal(self, host: str) -> HttpResponse:
        """The 403 for a request whose ``Host`` is not one of :attr:`names`."""
        name = host_name(host)
        message = (
            f"Host not allowed: {name} (start the server with --allowed-host {name} to allow it)"
        )
        body = json.dumps({"message": message}).encode()
        return HttpResponse(
            403,
            [("Content-Type", "application/json")],
            body,
            note=f"Host {name} is not allowed",
        )
