"""SnapStart's runtime hooks: primed before the snapshot, renewed after a restore."""

from __future__ import annotations

import sys
import types

import pytest

from function import snapshot
from function.dynamodb import bounded_client
from tests.fake_dynamodb import Answer, FakeDynamoDB


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


def test_a_first_request_after_priming_imports_nothing(table, post):
    """What the first request would have loaded was loaded before the snapshot."""
    from function import handler  # noqa: F401 - Lambda imports the handler before the snapshot

    table.put(table.key(1))
    bounded_client.forget_clients()
    snapshot.prime()
    before = set(sys.modules)

    answer = post({"operation": "read", "tableName": table.name, "payload": {"Key": table.key(1)}})

    assert answer.status == 200
    assert set(sys.modules) - before == set()


def test_after_a_restore_requests_sign_with_the_restored_environments_credentials(
    post, monkeypatch
):
    """Credentials resolved before the snapshot belong to the environment that was snapshotted."""
    monkeypatch.setenv("TABLES", '{"LambdaTable": "physical-table"}')
    read = {"operation": "read", "tableName": "LambdaTable", "payload": {"Key": {"Id": "1"}}}
    with FakeDynamoDB(Answer({"Item": {"Id": {"S": "1"}}})) as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", fake.url)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "SNAPSHOTTED")
        bounded_client.forget_clients()
        try:
            snapshot.prime()
            monkeypatch.setenv("AWS_ACCESS_KEY_ID", "RESTORED")
            before_renewal = post(read)
            snapshot.renew()
            after_renewal = post(read)
        finally:
            bounded_client.forget_clients()

    assert before_renewal.status == after_renewal.status == 200
    first, second = (request.headers["authorization"] for request in fake.requests)
    assert "Credential=SNAPSHOTTED/" in first
    assert "Credential=RESTORED/" in second
