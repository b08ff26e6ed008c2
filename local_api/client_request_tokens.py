"""``TransactWriteItems``' ``ClientRequestToken``, which moto ignores, honoured as DynamoDB does.

A client retries a transaction whose answer it did not get with the same token;
DynamoDB then applies it once. For 10 minutes after the first request with a
token completes, the same request with it is answered as that one was and
applies nothing, and any other request with it is refused with
``IdempotentParameterMismatchException``. After that the token is new again.

Only a transaction that succeeded is remembered: a refused one applied nothing
(moto rolls a failed transaction back), so its retry runs again.

The engine keeps the tokens in memory: a restart forgets them, so a retry that
arrives after one applies again. The journal cannot apply a transaction twice:
it holds the first request that used a token, and never a retry answered from
here (that retry is not a write moto carried out).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

#: How long DynamoDB keeps a token after the first request with it completes.
VALID_SECONDS = 600.0
#: The requests whose token makes them idempotent, and the member that holds it.
TOKEN_MEMBERS = {"TransactWriteItems": "ClientRequestToken"}
MISMATCH = (
    "DynamoDB rejected the request because you retried a request with a different payload "
    "but with an idempotent token that was already used."
)

Answer = TypeVar("Answer")


class TokenReusedError(Exception):
    """The token was used by another request less than 10 minutes ago."""


@dataclass(frozen=True)
class _Use(Generic[Answer]):
    body: Mapping[str, Any]
    answer: Answer
    expires: float


class ClientRequestTokens(Generic[Answer]):
    """The tokens of the transactions that succeeded in the last 10 minutes, with their answers.

    Not thread-safe: the engine holds its write lock around a lookup, the
    request and :meth:`remember`, so a retry waits for its first attempt to end.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._uses: dict[tuple[str, str], _Use[Answer]] = {}

    def answer(self, operation: str, region: str, body: Mapping[str, Any]) -> Answer | None:
        """The answer this request already got; ``None`` if it is to run.

        Raises :class:`TokenReusedError` if its token was used by another request.
        """
        key = _key(operation, region, body)
        if key is None:
            return None
        self._forget_expired()
        use = self._uses.get(key)
        if use is None:
            return None
        if use.body != body:
            raise TokenReusedError(MISMATCH)
        return use.answer

    def remember(
        self, operation: str, region: str, body: Mapping[str, Any], answer: Answer
    ) -> None:
        """Keep the answer of a request that succeeded, for its token's 10 minutes."""
        key = _key(operation, region, body)
        if key is not None:
            self._uses[key] = _Use(body, answer, self._clock() + VALID_SECONDS)

    def _forget_expired(self) -> None:
        """Drop expired tokens; the oldest come first, as uses are remembered when they end."""
        now = self._clock()
        while self._uses:
            key, use = next(iter(self._uses.items()))
            if use.expires > now:
                return
            del self._uses[key]


def _key(operation: str, region: str, body: Mapping[str, Any]) -> tuple[str, str] | None:
    member = TOKEN_MEMBERS.get(operation)
    token = body.get(member) if member is not None else None
    return (region, token) if isinstance(token, str) else None
