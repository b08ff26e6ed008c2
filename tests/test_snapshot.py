"""SnapStart's runtime hooks: primed before the snapshot, renewed after a restore."""

from __future__ import annotations

import sys
import types

import pytest

from function import snapshot, tables
from function.dynamodb import bounded_client
from function.registry import default_registry


@pytest.fixture
def snapstart_runtime(monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:
    """Lambda's ``snapshot_restore_py``, recording the hooks registered with it."""
    registered: dict[str, list] = {"before_snapshot": [], "after_restore": []}
    module = types.ModuleType("snapshot_restore_py")
    module.register_before_snapshot = registered["before_snapshot"].append  # type: ignore[attr-defined]
    module.register_after_restore = registered["after_restore"].append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", module)
    return registered


def test_the_hooks_are_registered_where_snapstart_initialises(snapstart_runtime, monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start")

    assert snapshot.register() is True
    assert snapstart_runtime == {
        "before_snapshot": [snapshot.prime],
        "after_restore": [snapshot.renew],
    }


def test_elsewhere_registering_does_nothing(snapstart_runtime, monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand")
    assert snapshot.register() is False
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start")
    monkeypatch.delitem(sys.modules, "snapshot_restore_py")
    monkeypatch.setattr(sys, "path", [])  # no snapshot_restore_py to find: not Lambda's runtime

    assert snapshot.register() is False
    assert snapstart_runtime == {"before_snapshot": [], "after_restore": []}


def test_priming_loads_what_a_first_request_would(table):
    bounded_client.forget_clients()
    tables._parse.cache_clear()

    snapshot.prime()

    operations = default_registry().all()
    assert all("validate" in vars(operation) for operation in operations.values())
    assert bounded_client._client.cache_info().currsize == 1
    assert tables._parse.cache_info().currsize == 1


def test_after_a_restore_requests_use_a_client_of_their_own_and_still_work(table, run_operation):
    snapshot.prime()
    snapshotted = bounded_client.client()

    snapshot.renew()
    table.put({**table.key(1), "name": "Bob"})

    assert bounded_client.client() is not snapshotted
    renewed = bounded_client.client().meta.service_model
    # The model read before the snapshot, not parsed again.
    assert renewed._service_description is snapshotted.meta.service_model._service_description
    assert run_operation("read", {"Key": table.key(1)})["Item"]["name"] == "Bob"
