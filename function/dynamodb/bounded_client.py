"""The DynamoDB client all operations share: one per execution environment.

Built on botocore alone: importing boto3 and building a resource would cost
every cold start for nothing we use. :func:`client` gives a :class:`BoundedClient`
whose API calls take and return plain values, reach only the served tables
(and, as an operation gets it, make only the calls it declares), raise
caller-facing errors from :mod:`function.errors`, and retry at most once,
within :data:`~function.deadline.WORST_CASE_SECONDS` and the request's deadline.
Retries are ours, not botocore's, so no botocore version (nor an
``x-amz-retry-after`` header) can stretch a call past its bound. A retry is the
same request: botocore would fill an idempotency token (``TransactWriteItems``'
``ClientRequestToken``) anew on each attempt, so that a transaction whose first
attempt DynamoDB applied but did not answer in time would apply twice; the
token is filled once per call instead.
"""

from __future__ import annotations

import os
import random
import time
import uuid
import zlib
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ChecksumError, ClientError

from function import attribute_values, deadline
from function.dynamodb import confinement, model_loader
from function.dynamodb.permissions import Permissions
from function.dynamodb.translation import translate
from function.errors import DynamoDBUnavailableError, ThrottledError

#: Failures worth one more attempt: DynamoDB may answer the next one.
RETRYABLE = (ThrottledError, DynamoDBUnavailableError)
TOO_LATE = (
    "DynamoDB was not called: too little of the function's time is left for a call; retry later"
)


class BoundedClient:
    """botocore's DynamoDB client, its API calls bounded in time and their errors translated.

    With ``permissions`` (see :meth:`for_operation`) it makes only the calls an
    operation declares, waiters' included. Paginators page through the bounded
    calls; waiters are botocore's own, as is anything else that is not an API call
    (``meta``). ``botocore``, the raw client, is unchecked: IAM alone bounds it.
    """

    def __init__(self, botocore_client: Any, permissions: Permissions | None = None) -> None:
        self.botocore = botocore_client
        self.meta = botocore_client.meta
        self.permissions = permissions
        self._calls = botocore_client.meta.method_to_api_mapping
        self._views: dict[tuple[Permissions, frozenset[str]], BoundedClient] = {}

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.botocore, name)
        if name in self._calls:
            api_name = self._calls[name]
            tokens = tuple(self.meta.service_model.operation_model(api_name).idempotent_members)
            attribute = _bounded(attribute, api_name, self.permissions, tokens)
            setattr(self, name, attribute)
        return attribute

    def for_operation(self, permissions: Permissions, reachable: frozenset[str]) -> BoundedClient:
        """This client as one operation gets it: refusing any call it does not declare, and any
        table but the physical tables ``reachable`` (its tables in this deployment).

        Made once per operation and deployment, then handed to each of its requests.
        """
        key = (permissions, reachable)
        view = self._views.get(key)
        if view is None:
            view = self._views[key] = BoundedClient(self.botocore, permissions.within(reachable))
        return view

    def get_waiter(self, waiter_name: str) -> Any:
        """botocore's waiter, if the operation declares the call it polls with, polling only
        the operation's tables."""
        waiter = self.botocore.get_waiter(waiter_name)
        permissions = self.permissions
        if permissions is not None:
            polls_with = waiter.config.operation
            permissions.check(polls_with, {})
            wait = waiter.wait

            def checked_wait(**params: Any) -> None:
                permissions.check(polls_with, params)
                wait(**params)

            waiter.wait = checked_wait  # a new waiter each call: this one is the operation's
        return waiter

    def get_paginator(self, operation_name: str) -> Any:
        """botocore's paginator for ``operation_name``, each page fetched by the bounded call."""
        paginator = self.botocore.get_paginator(operation_name)
        paginator._method = getattr(self, operation_name)  # botocore keeps the page call there
        return paginator


def _bounded(
    method: Callable[..., Any],
    api_name: str,
    permissions: Permissions | None,
    tokens: tuple[str, ...],
) -> Callable[..., Any]:
    """``method`` checked, bounded and translated; ``tokens``: its idempotency token members."""

    def call(**params: Any) -> Any:
        if permissions is not None:
            permissions.check(api_name, params)
        for member in tokens:
            if member not in params:
                params[member] = str(uuid.uuid4())
        for attempt in range(1, deadline.MAX_ATTEMPTS + 1):
            if not deadline.allows(deadline.ATTEMPT_SECONDS):
                raise DynamoDBUnavailableError(TOO_LATE)
            try:
                return method(**params)
            except (ClientError, BotoCoreError) as error:
                failure = translate(error)
                if failure is None:
                    raise
                pause = random.random() * deadline.BACKOFF_CAP_SECONDS  # noqa: S311 - jitter
                if (
                    attempt == deadline.MAX_ATTEMPTS
                    or not isinstance(failure, RETRYABLE)
                    or not deadline.allows(pause + deadline.ATTEMPT_SECONDS)
                ):
                    raise failure from error
            time.sleep(pause)
        raise AssertionError("unreachable: the last attempt returns or raises")

    call.__name__ = getattr(method, "__name__", "call")
    call.__doc__ = method.__doc__
    return call


def _check_crc32(http_response: Any, **_: Any) -> None:
    """Refuse an answer damaged on the way, as botocore's retry policy would have.

    DynamoDB sends the CRC32 of every body; a mismatch is retried like an outage.
    """
    expected = http_response.headers.get("x-amz-crc32")
    if expected is None:
        return
    actual = str(zlib.crc32(http_response.content) & 0xFFFFFFFF)
    if actual != expected.strip():
        raise ChecksumError(
            checksum_type="crc32", expected_checksum=expected, actual_checksum=actual
        )


def client() -> BoundedClient:
    """The shared DynamoDB client for the current region and endpoint.

    Keyed by ``AWS_REGION`` (Lambda's; botocore falls back to ``AWS_DEFAULT_REGION``)
    and the endpoint variables, so a process that points them elsewhere (a test,
    the local server) gets a client that follows.
    """
    environ = os.environ
    return _client(
        environ.get("AWS_REGION"),
        environ.get("AWS_ENDPOINT_URL_DYNAMODB"),
        environ.get("AWS_ENDPOINT_URL"),
    )


def forget_clients() -> None:
    """Make the next :func:`client` call build a new client, in a new botocore session.

    Its connections and credentials are then this environment's (after a
    SnapStart restore); the service model stays loaded.
    """
    _client.cache_clear()


@lru_cache(maxsize=4)
def _client(
    region: str | None, endpoint_url: str | None, fallback_endpoint_url: str | None
) -> BoundedClient:
    config = Config(
        connect_timeout=deadline.CONNECT_TIMEOUT_SECONDS,
        read_timeout=deadline.READ_TIMEOUT_SECONDS,
        retries={"mode": "standard", "total_max_attempts": 1},
        tcp_keepalive=True,
    )
    session = botocore.session.get_session()
    session.register_component("data_loader", model_loader.for_session(session))
    dynamodb = session.create_client(
        "dynamodb",
        region_name=region,
        endpoint_url=endpoint_url or fallback_endpoint_url,
        config=config,
    )
    attribute_values.install(dynamodb)
    confinement.install(dynamodb)
    dynamodb.meta.events.register("after-call.dynamodb", _check_crc32)
    return BoundedClient(dynamodb)
