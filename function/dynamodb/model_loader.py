"""botocore's model loader, told up front that DynamoDB exists.

Stock botocore checks a service name by scanning every service's data directory
(about 400 of them, thousands of ``stat`` calls) before loading the model: a
tenth of a cold start, spent to validate a constant. Any other service (STS,
for credentials from an assumed role) is checked as botocore checks it, and
``AWS_DATA_PATH`` is honoured as botocore honours it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import botocore.loaders
import botocore.session


def for_session(session: botocore.session.Session) -> botocore.loaders.Loader:
    """botocore's loader for the session's data path, told up front that DynamoDB exists.

    One loader per data path, so the models it has read stay read for the next
    session (a client made anew after a SnapStart restore does not parse them again).
    """
    return _loader(session.get_config_variable("data_path"))


@lru_cache(maxsize=4)
def _loader(search_path: str | None) -> botocore.loaders.Loader:
    extra = [
        str(Path(os.path.expandvars(part)).expanduser())
        for part in (search_path or "").split(os.pathsep)
        if part
    ]
    return DynamoDBFirstLoader(extra_search_paths=extra)


class DynamoDBFirstLoader(botocore.loaders.Loader):
    """botocore's model loader, which knows DynamoDB exists without looking."""

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
