"""The function's code as the local server runs it, optionally reloaded on every change.

:class:`FunctionCode` gives the handler and the registered operation names (for
the request model). With ``reload`` on, before each request it compares the
Python files of the function and operation packages with what it saw last; on
any change (an edit, a new or deleted module) it drops those packages from
``sys.modules`` and imports them afresh. The server keeps running and the
embedded DynamoDB keeps its data.
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from function.registry import Operation

Handler = Callable[[dict[str, Any], Any], Any]
FUNCTION_PACKAGE = "function"


@dataclass(frozen=True)
class Loaded:
    """One import of the code: its handler and the operations it registers."""

    handler: Handler
    operations: Mapping[str, Operation]

    @cached_property
    def operation_names(self) -> tuple[str, ...]:
        """Sorted once per import: the gateway reads them on every request."""
        return tuple(sorted(self.operations))


class FunctionCode:
    """The current handler and operations; re-imported when watched files change."""

    def __init__(self, operation_packages: Iterable[str], *, reload: bool = False) -> None:
        self.packages = tuple(dict.fromkeys((FUNCTION_PACKAGE, *operation_packages)))
        self.reload = reload
        self._gate = threading.Condition()
        self._running = 0
        self._directories = [_directory(package) for package in self.packages]
        self._snapshot = self._scan() if reload else {}
        self._loaded = self._import()

    @contextmanager
    def use(self) -> Iterator[Loaded]:
        """The code to run one request with, unchanged until the request is done.

        A reload waits for the requests in flight (they use the modules it would
        drop) and holds new ones back until the new code is imported.
        """
        if not self.reload:
            yield self._loaded
            return
        with self._gate:
            if self._scan() != self._snapshot:
                self._gate.wait_for(lambda: self._running == 0)
                snapshot = self._scan()
                if snapshot != self._snapshot:  # another request may have reloaded meanwhile
                    self._forget_modules()
                    self._loaded = self._import()
                    self._snapshot = snapshot
            self._running += 1
            loaded = self._loaded
        try:
            yield loaded
        finally:
            with self._gate:
                self._running -= 1
                self._gate.notify_all()

    @property
    def operation_names(self) -> tuple[str, ...]:
        """The operations registered now (as of the last import)."""
        return self._loaded.operation_names

    @property
    def operations(self) -> Mapping[str, Operation]:
        """The registered operations themselves (as of the last import)."""
        return self._loaded.operations

    def _import(self) -> Loaded:
        handler_module = importlib.import_module(f"{FUNCTION_PACKAGE}.handler")
        registry = importlib.import_module(f"{FUNCTION_PACKAGE}.registry")
        operations = registry.Registry(self.packages[1:]).all()
        return Loaded(handler=handler_module.handler, operations=dict(sorted(operations.items())))

    def _scan(self) -> dict[Path, int]:
        return {
            path: path.stat().st_mtime_ns
            for directory in self._directories
            for path in directory.rglob("*.py")
            if "__pycache__" not in path.parts
        }

    def _forget_modules(self) -> None:
        for name in list(sys.modules):
            if any(name == package or name.startswith(f"{package}.") for package in self.packages):
                del sys.modules[name]
        importlib.invalidate_caches()


def _directory(package: str) -> Path:
    return Path(importlib.import_module(package).__file__ or "").parent
