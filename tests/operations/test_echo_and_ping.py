from decimal import Decimal


def test_echo_returns_the_payload_unchanged(run_operation):
    payload = {"somekey1": "somevalue1", "price": Decimal("19.99"), "list": [1, None, True]}

    assert run_operation("echo", payload, table_name=None) == payload


def test_ping_answers_pong(run_operation):
    assert run_operation("ping", table_name=None) == "pong"


def test_echo_and_ping_need_no_table_configuration(monkeypatch):
    from tests.conftest import run_direct

    monkeypatch.delenv("TABLES", raising=False)

    assert run_direct({"operation": "ping"}) == "pong"
    assert run_direct({"operation": "echo", "payload": [1, 2]}) == [1, 2]
