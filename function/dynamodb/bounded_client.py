"""The DynamoDB client all operations share: one per execution environment.

Built on botocore alone: importing boto3 and building a resource would cost
every cold start for nothing we use. :func:`client` gives a :class:`BoundedClient`
whose API calls take and return plain values, reach only the served tables,
raise caller-facing errors from :mod:`function.errors`, and retry at most once,
within :data:`~function.deadline.WORST_CASE_SECONDS` and the request's
deadline. Retries are ours, not botocore's, so no botocore version (nor an
``x-amz-retry-after`` header) can stretch a call past its bound.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import botocore.loaders
import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from function import attribute_values, deadline
from function.dynamodb import confinement
from function.dynamodb.translation import translate
from function.errors import DynamoDBUnavailableError, ThrottledError

#: Failures worth one more attempt: DynamoDB may answer the next one.
RETRYABLE = (ThrottledError, DynamoDBUnavailableError)


class BoundedClient:
    """botocore's DynamoDB client, its API calls bounded in time and their errors translated.

    Anything that is not an API call (``meta``, ``get_paginator``) is botocore's own.
    """

    def __init__(self, botocore_client: Any) -> None:
        self.botocore = botocore_client
        self.meta = botocore_client.meta
        self._calls = frozenset(botocore_client.meta.method_to_api_mapping)

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.botocore, name)
        if name in self._calls:
            attribute = _bounded(attribute)
            setattr(self, name, attribute)
        return attribute


def _bounded(method: Callable[..., Any]) -> Callable[..., Any]:
    def call(**params: Any) -> Any:
        for attempt in range(1, deadline.MAX_ATTEMPTS + 1):
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
    session.register_component("data_loader", _loader(session))
    dynamodb = session.create_client(
        "dynamodb",
        region_name=region,
        endpoint_url=endpoint_url or fallback_endpoint_url,
        config=config,
    )
    attribute_values.install(dynamodb)
    confinement.install(dynamodb)
    return BoundedClient(dynamodb)


def _loader(session: botocore.session.Session) -> botocore.loaders.Loader:
    """botocore's loader for the session's data path, told up front that DynamoDB exists."""
    search_path = session.get_config_variable("data_path")
    extra = [
        str(Path(os.path.expandvars(part)).expanduser())
        for part in (search_path or "").split(os.pathsep)
        if part
    ]
    return DynamoDBFirstLoader(extra_search_paths=extra)


class DynamoDBFirstLoader(botocore.loaders.Loader):
    """botocore's model loader, which knows DynamoDB exists without looking.

    Stock botocore checks a service name by scanning every service's data
    directory (about 400 of them, thousands of ``stat`` calls) before loading
    the model: a tenth of a cold start, spent to validate a constant. Any other
    service (STS, for credentials from an assumed role) is checked as botocore
    checks it; ``AWS_DATA_PATH`` is honoured as botocore honours it.
    """

    # botocore only tests membership and joins names for its error: any sequence will do.
    def list_available_services(self, type_name: str) -> Sequence[str]:  # type: ignore[override]
        return _ServiceNames(
            lambda: super(DynamoDBFirstLoader, self).list_available_services(type_name)
        )


class _ServiceNames(Sequence[str]):
    """The available services, scanned only when a name other than DynamoDB is asked."""

    def __init__(self, scan: Callable[[], list[str]]) -> None:
        self._scan = scan
        self._names: list[str] | None = None

    def _all(self) -> list[str]:
        if self._names is None:
            self._names = list(self._scan())
        return self._names

    def __contains__(self, name: object) -> bool:
        return name == "dynamodb" or name in self._all()

    def __getitem__(self, index: Any) -> Any:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())
