"""The base of every error a caller can cause, and how it reads over HTTP.

Each feature raises its own subclass (kept in the feature's module, named
``...Error``); the handler turns any :class:`RequestError` into an API
Gateway-shaped error body ``{"message": ..., "type": ...}`` with its status.
Anything that is not a ``RequestError`` is a bug or an outage and becomes a 500
that reveals nothing but the request id.
"""

from __future__ import annotations

from typing import Any, ClassVar


class RequestError(Exception):
    """A request that cannot be served, with the HTTP status that says why."""

    status: ClassVar[int] = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def type(self) -> str:
        """The error's name as callers see it: the class name without ``Error``."""
        name = type(self).__name__
        return name.removesuffix("Error") or name

    def to_body(self) -> dict[str, Any]:
        return {"message": self.message, "type": self.type}


class BadRequestError(RequestError):
    """The request is malformed or asks for something that cannot exist (400)."""

    status = 400


class ForbiddenError(RequestError):
    """The request names something the caller may not touch (403)."""

    status = 403


class NotFoundError(RequestError):
    status = 404


class MethodNotAllowedError(RequestError):
    status = 405


class ConflictError(RequestError):
    """The request lost to the current state of the data (409)."""

    status = 409


class PayloadTooLargeError(RequestError):
    status = 413


class TooManyRequestsError(RequestError):
    """DynamoDB is throttling; the caller should retry later (429)."""

    status = 429


class ServiceUnavailableError(RequestError):
    """A dependency is down or not answering; the caller may retry (503)."""

    status = 503
