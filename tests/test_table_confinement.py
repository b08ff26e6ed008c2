"""An operation reaches exactly the tables it declares, whatever its code names.

IAM grants the role every table's actions together, so only the client an
operation gets can keep it to its own tables: a call elsewhere is a bug,
answered like IAM's ``AccessDeniedException`` (a 500, the log naming the
operation and the table).
"""

from __future__ import annotations

import logging
import textwrap

import pytest

from function.dynamodb.confinement import UndeclaredTableError
from function.errors import OperationNotOnTableError
from infra.settings import stack_settings
from tests.conftest import GATEWAY_REQUEST_ID

OPERATIONS = textwrap.dedent(
    '''
    """Operations on Orders alone that try to reach further."""
    from function import tables
    from function.registry import operation


    def physical(name):
        if name == "idempotency":
            return tables.idempotency_table()
        return tables.configured().resolve(name).physical


    @operation(
        "orders-reach",
        actions=["dynamodb:GetItem", "dynamodb:PutItem"],
        tables=["Orders"],
    )
    def reach(call):
        """Write an item to the table the payload names, by its physical name."""
        call.dynamodb.put_item(TableName=physical(call.payload["table"]), Item=call.payload["item"])
        return {}


    @operation("orders-transact", actions=["dynamodb:PutItem"], tables=["Orders"])
    def transact(call):
        """Write to Orders and to the table the payload names, in one transaction."""
        order = {"TableName": call.table, "Item": {"customerId": "c", "orderId": "o"}}
        other = {"TableName": physical(call.payload["table"]), "Item": call.payload["item"]}
        call.dynamodb.transact_write_items(TransactItems=[{"Put": order}, {"Put": other}])
        return {}


    @operation("orders-wait", actions=["dynamodb:DescribeTable"], tables=["Orders"])
    def wait(call):
        """Wait for the table the payload names to exist."""
        call.dynamodb.get_waiter("table_exists").wait(TableName=physical(call.payload["table"]))
        return {}


    @operation(
        "orders-batch",
        actions=["dynamodb:BatchWriteItem"],
        tables=["Orders"],
        tables_in_payload=True,
    )
    def batch(call):
        """Write the items the payload lists under each table's name."""
        requests = {
            call.resolve_table(name).physical: [{"PutRequest": {"Item": item}} for item in items]
            for name, items in call.payload.items()
        }
        call.dynamodb.batch_write_item(RequestItems=requests)
        return {}
    '''
)

ORDER = {"customerId": "c1", "orderId": "o1"}


@pytest.fixture
def table_definitions():
    """The orders stack's tables: LambdaTable and Orders."""
    return stack_settings("orders").tables


@pytest.fixture
def reaching(tables, idempotency_table, plugin_package, monkeypatch):
    package = plugin_package({"reach": OPERATIONS})
    monkeypatch.setenv("OPERATION_PACKAGES", f"operations,{package}")
    return tables


def test_an_operation_writes_the_table_it_declares(reaching, run_operation):
    run_operation("orders-reach", {"table": "Orders", "item": ORDER})

    assert reaching["Orders"].items() == [ORDER]


@pytest.mark.parametrize(
    ("target", "item", "shown"),
    [
        ("LambdaTable", {"Id": "1"}, "'LambdaTable'"),
        (
            "idempotency",
            {"id": "someone-elses-key", "poisoned": True},
            "'dynamodb-operations-test-idempotency'",
        ),
    ],
)
def test_any_other_table_is_refused_and_nothing_is_written(
    reaching, idempotency_table, run_operation, target, item, shown
):
    with pytest.raises(UndeclaredTableError) as refused:
        run_operation("orders-reach", {"table": target, "item": item})
    with pytest.raises(UndeclaredTableError):
        run_operation("orders-transact", {"table": target, "item": item})

    assert str(refused.value) == (
        f"Operation 'orders-reach' called DynamoDB on table {shown}, which it does not run on "
        "(it runs on Orders); declare the table in its tables="
    )
    assert reaching["LambdaTable"].items() == []
    assert reaching["Orders"].items() == []
    assert idempotency_table.items() == []


def test_over_http_a_refusal_is_a_500_and_the_log_names_the_operation_and_table(
    reaching, post, caplog
):
    with caplog.at_level(logging.ERROR, logger="function.handler"):
        answer = post(
            {"operation": "orders-reach", "payload": {"table": "LambdaTable", "item": {"Id": "1"}}}
        )

    assert (answer.status, answer.json["requestId"]) == (500, GATEWAY_REQUEST_ID)
    assert "LambdaTable" not in answer.text
    (line,) = [record.getMessage() for record in caplog.records if record.levelname == "ERROR"]
    assert (
        "UndeclaredTableError: Operation 'orders-reach' called DynamoDB on table 'LambdaTable'"
        in line
    )


def test_a_table_named_in_the_payload_passes_the_same_check(reaching, run_operation):
    run_operation("orders-batch", {"Orders": [ORDER]})
    with pytest.raises(OperationNotOnTableError, match="does not run on table 'LambdaTable'"):
        run_operation("orders-batch", {"LambdaTable": [{"Id": "1"}]})

    assert reaching["Orders"].items() == [ORDER]
    assert reaching["LambdaTable"].items() == []


def test_an_operation_declaring_an_index_reaches_only_the_tables_that_have_it(
    reaching, plugin_package, monkeypatch, run_operation
):
    package = plugin_package(
        {
            "by_index": textwrap.dedent(
                """
                from function import tables
                from function.registry import operation

                @operation(
                    "by-status-reach",
                    actions=["dynamodb:PutItem"],
                    index_actions=["dynamodb:Query"],
                    indexes=["byStatus"],
                )
                def reach(call):
                    physical = tables.configured().resolve(call.payload["table"]).physical
                    call.dynamodb.put_item(TableName=physical, Item=call.payload["item"])
                    return {}
                """
            )
        }
    )
    monkeypatch.setenv("OPERATION_PACKAGES", f"operations,{package}")

    run_operation("by-status-reach", {"table": "Orders", "item": ORDER})
    with pytest.raises(UndeclaredTableError, match="tables with the index byStatus"):
        run_operation("by-status-reach", {"table": "LambdaTable", "item": {"Id": "1"}})

    assert reaching["Orders"].items() == [ORDER]
    assert reaching["LambdaTable"].items() == []


def test_a_waiter_polls_only_the_operations_tables(reaching, run_operation):
    assert run_operation("orders-wait", {"table": "Orders"}) == {}
    with pytest.raises(UndeclaredTableError, match="on table 'LambdaTable'"):
        run_operation("orders-wait", {"table": "LambdaTable"})


SLIPPERY = textwrap.dedent(
    '''
    """Operations on Orders that name tables in ways a check could miss."""
    from function import tables
    from function.registry import operation


    class Orders(str):
        """Text that claims to equal "Orders" (and hash like it), whatever it holds."""

        def __eq__(self, other):
            return True

        def __hash__(self):
            return hash(tables.configured().resolve("Orders").physical)


    @operation("orders-spoof", actions=["dynamodb:GetItem"], tables=["Orders"])
    def spoof(call):
        lambda_table = tables.configured().resolve("LambdaTable").physical
        return call.dynamodb.get_item(TableName=Orders(lambda_table), Key={"Id": "1"})


    @operation("orders-logical", actions=["dynamodb:GetItem"], tables=["Orders"])
    def logical(call):
        return call.dynamodb.get_item(TableName="Orders", Key=call.payload["Key"])


    @operation("orders-partiql", actions=["dynamodb:ExecuteStatement"], tables=["Orders"])
    def partiql(call):
        return call.dynamodb.execute_statement(Statement='SELECT * FROM "anything"')


    @operation("orders-splat", actions=["dynamodb:GetItem"], tables=["Orders"])
    def splat(call):
        return call.dynamodb.get_item(TableName=call.table, **call.payload)
    '''
)


@pytest.fixture
def slippery(tables, plugin_package, monkeypatch):
    monkeypatch.setenv("OPERATION_PACKAGES", f"operations,{plugin_package({'slip': SLIPPERY})}")
    return tables


def test_a_name_that_only_claims_to_be_the_operations_table_is_refused(slippery, run_operation):
    with pytest.raises(UndeclaredTableError, match="on table 'LambdaTable'"):
        run_operation("orders-spoof")


def test_naming_a_table_as_callers_do_is_refused_pointing_at_call_table(slippery, run_operation):
    with pytest.raises(UndeclaredTableError) as refused:
        run_operation("orders-logical", {"Key": ORDER})

    assert str(refused.value) == (
        "Operation 'orders-logical' named table 'Orders' as callers do; DynamoDB knows it as "
        "'dynamodb-operations-test-Orders': use call.table (or resolve the name)"
    )


def test_a_call_whose_tables_cannot_be_told_is_refused_even_when_declared(slippery, run_operation):
    with pytest.raises(UndeclaredTableError, match="ExecuteStatement, whose tables cannot be"):
        run_operation("orders-partiql")


def test_a_parameter_the_call_does_not_take_is_the_callers_400_whatever_table_it_names(
    slippery, post
):
    answer = post(
        {
            "operation": "orders-splat",
            "payload": {"Key": ORDER, "RequestItems": {"dynamodb-operations-test-LambdaTable": {}}},
        }
    )

    assert (answer.status, answer.json["type"]) == (400, "DynamoDBValidation")
    assert "RequestItems" in answer.json["message"]


def test_the_package_operations_import_from_offers_no_client_but_their_own():
    """The function's shared client reaches every table: it is the idempotency module's."""
    import function.dynamodb as package

    assert "client" not in package.__all__
    assert not hasattr(package, "client")
