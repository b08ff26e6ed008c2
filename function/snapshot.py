"""Lambda SnapStart's runtime hooks: do the cold start's work before the snapshot, renew after.

With SnapStart on (``snapStart``, on published versions), Lambda initialises the
function once, snapshots it, and starts each new execution environment from
that snapshot. Before the snapshot, :func:`prime` does what the first request
would otherwise pay for: import every operation, compile every schema, read
the table map and build the DynamoDB client with its service model. After a
restore, :func:`renew` replaces what must not be shared between environments:
the client (its connections and any credentials it resolved belong to the
environment that was snapshotted) and the random generator's state (botocore's
retry jitter would otherwise be the same in every restored copy).

The hooks are registered through ``snapshot_restore_py``, which only Lambda's
SnapStart runtime provides; elsewhere :func:`register` does nothing.
"""

from __future__ import annotations

import os

from function import envelope, tables
from function.dynamodb import bounded_client
from function.registry import default_registry

#: What Lambda sets in an environment initialised for a SnapStart snapshot.
SNAPSTART_INITIALIZATION = "snap-start"


def prime() -> None:
    """Everything a first request would load, loaded now: before the snapshot is taken."""
    for operation in default_registry().all().values():
        _ = operation.validate
    envelope.parse({"operation": "ping"})
    tables.configured()
    bounded_client.client()


def renew() -> None:
    """After a restore: a DynamoDB client of this environment's own, and fresh randomness."""
    import random  # only here: a cold start without SnapStart does not pay for it

    bounded_client.forget_clients()
    random.seed()


def register() -> bool:
    """Register :func:`prime` and :func:`renew` where SnapStart runs; whether they were."""
    if os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") != SNAPSTART_INITIALIZATION:
        return False
    try:
        from snapshot_restore_py import (  # type: ignore[import-not-found]
            register_after_restore,
            register_before_snapshot,
        )
    except ImportError:
        return False
    register_before_snapshot(prime)
    register_after_restore(renew)
    return True
