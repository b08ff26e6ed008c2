"""The stack's tables as `pulumi up` deploys them: keys, indexes, TTL, grants, protection."""

from __future__ import annotations

import json
import logging
import textwrap

import pytest

from function.tables import IndexKeys, KeySchema, TablesConfigError, configured
from infra.grants import OperationRequirementError
from infra.settings import SettingsError, default_tables
from tests.infra.conftest import Deployment, run_program, with_needed_tables

TABLE = "aws:dynamodb/table:Table"
FUNCTION = "aws:lambda/function:Function"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
#: What version 1 called the one table of every stack; an upgrade must keep it.
V1_TABLE_URN = (
    "urn:pulumi:{stack}::dynamodb-operations::dynamodb-operations:api:DynamoDBOperationsApi"
    "$aws:dynamodb/table:Table::dynamodb-operations-table"
)
#: Lambda's limit on a function's environment: every key and value together.
LAMBDA_ENVIRONMENT_LIMIT = 4096
#: IAM's limit on a role's inline policies, counted without whitespace.
INLINE_POLICY_LIMIT = 10240

V1_OPERATION = textwrap.dedent(
    '''
    """fetch: one item by key, as every operation of version 1: on whatever table is named."""
    from function.registry import operation


    @operation("fetch", actions=["dynamodb:GetItem"])
    def fetch(call):
        """GetItem."""
        return call.dynamodb.get_item(TableName=call.table, **call.payload)
    '''
)

NEEDS_A_TABLE = textwrap.dedent(
    '''
    """probe-archive: needs a table no stack of the project declares."""
    from function.registry import operation


    @operation("probe-archive", actions=["dynamodb:DeleteItem"], tables=["ProbeArchive"])
    def probe_archive(call):
        """DeleteItem."""
        return call.dynamodb.delete_item(TableName=call.table, **call.payload)
    '''
)

NEEDS_AN_INDEX = textwrap.dedent(
    '''
    """by-region: orders by region, through an index the stack must have."""
    from function.registry import operation


    @operation(
        "by-region",
        actions=["dynamodb:Query"],
        index_actions=["dynamodb:Query"],
        tables=["Orders"],
        indexes=["byRegion"],
    )
    def by_region(call):
        """Query the byRegion index."""
        return call.dynamodb.query(TableName=call.table, IndexName="byRegion", **call.payload)
    '''
)


@pytest.fixture(scope="module")
def orders() -> Deployment:
    """The orders stack: the issue's example of a stack file, deployed under mocks."""
    return run_program("orders")


def tables_by_logical_name(deployment: Deployment) -> dict[str, dict]:
    variables = deployment.one(FUNCTION).inputs["environment"]["variables"]
    physical = json.loads(variables["TABLES"])
    by_physical = {table.state["name"]: table for table in deployment.of_type(TABLE)}
    return {name: by_physical[physical_name] for name, physical_name in physical.items()}


def grants(deployment: Deployment) -> set[tuple[str, str]]:
    pairs = set()
    for statement in json.loads(deployment.one(ROLE_POLICY).inputs["policy"])["Statement"]:
        resources = statement["Resource"]
        for resource in [resources] if isinstance(resources, str) else resources:
            pairs |= {(action, resource) for action in statement["Action"]}
    return pairs


def test_the_orders_stack_deploys_both_tables_with_their_keys_index_and_ttl(orders):
    tables = tables_by_logical_name(orders)
    lambda_table, orders_table = tables["LambdaTable"].inputs, tables["Orders"].inputs

    assert {"LambdaTable", "Orders"} <= set(tables)
    assert lambda_table["hashKey"] == "Id"
    assert "rangeKey" not in lambda_table
    assert orders_table["billingMode"] == "PAY_PER_REQUEST"
    assert (orders_table["hashKey"], orders_table["rangeKey"]) == ("customerId", "orderId")
    assert sorted(orders_table["attributes"], key=lambda a: a["name"]) == [
        {"name": "createdAt", "type": "S"},
        {"name": "customerId", "type": "S"},
        {"name": "orderId", "type": "S"},
        {"name": "status", "type": "S"},
    ]
    assert orders_table["globalSecondaryIndexes"] == [
        {
            "name": "byStatus",
            "keySchemas": [
                {"attributeName": "status", "keyType": "HASH"},
                {"attributeName": "createdAt", "keyType": "RANGE"},
            ],
            "projectionType": "ALL",
        }
    ]
    assert orders_table["ttl"] == {"attributeName": "expiresAt", "enabled": True}
    assert "ttl" not in lambda_table


def test_the_function_knows_every_table_by_name_and_its_keys_from_its_archive(orders, monkeypatch):
    variables = orders.one(FUNCTION).inputs["environment"]["variables"]
    archived = orders.one(FUNCTION).inputs["code"].assets["function/table_keys.json"]
    monkeypatch.setenv("TABLES", variables["TABLES"])
    monkeypatch.setenv("TABLE_KEYS", archived.text)

    served = configured()

    assert (
        served.resolve("Orders").physical == tables_by_logical_name(orders)["Orders"].state["name"]
    )
    assert served.resolve("Orders").keys == KeySchema(
        "customerId", "orderId", {"byStatus": IndexKeys("status", "createdAt")}
    )
    assert served.resolve("LambdaTable").keys == KeySchema("Id")


def test_query_is_granted_on_the_byStatus_index_only_and_each_table_on_its_own_arn(orders):
    tables = tables_by_logical_name(orders)
    orders_arn = tables["Orders"].state["arn"]
    lambda_arn = tables["LambdaTable"].state["arn"]

    on_indexes = {(a, r) for a, r in grants(orders) if r.startswith(f"{orders_arn}/index/")}
    assert on_indexes == {("dynamodb:Query", f"{orders_arn}/index/byStatus")}
    assert ("dynamodb:Query", orders_arn) in grants(orders)
    assert ("dynamodb:GetItem", lambda_arn) in grants(orders)
    assert not [r for a, r in grants(orders) if a.startswith("dynamodb:") and "*" in r]


def test_the_orders_stacks_own_package_is_in_its_archive_and_no_other(orders, dev):
    code = orders.one(FUNCTION).inputs["code"].assets
    packages = json.loads(code["function/operation_packages.json"].text)
    dev_code = dev.one(FUNCTION).inputs["code"].assets

    assert packages[:2] == ["operations", "orders_ops"]
    assert "orders_ops/orders_by_status.py" in code
    assert not [name for name in dev_code if name.startswith("orders_ops/")]
    assert "orders_ops" not in json.loads(dev_code["function/operation_packages.json"].text)


def test_a_v1_stack_keeps_its_table_urn(dev, prod):
    """Nothing is replaced on upgrade: the one table keeps the URN version 1 gave it."""
    for deployment in (dev, prod):
        table = tables_by_logical_name(deployment)["LambdaTable"]
        assert table.urn == V1_TABLE_URN.format(stack=deployment.stack)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_old_settings_keep_the_table_and_warn_with_the_tables_form(
    stack, caplog, plugin_package
):
    """A v1 table with another name moves to its new resource name by alias: no replacement.

    With version 1's kind of operation: none named the tables it needs.
    """
    v1_operations = plugin_package({"fetch": V1_OPERATION})
    with caplog.at_level(logging.WARNING):
        deployment = run_program(
            stack,
            {
                "tableName": "Products",
                "hashKey": "sku",
                "hashKeyType": "N",
                "tables": default_tables(),  # as the CLI fills in a stack file without tables
                "operationPackages": [v1_operations],
            },
        )

    (table,) = [t for t in deployment.of_type(TABLE) if not t.name.endswith("-idempotency")]
    assert V1_TABLE_URN.format(stack=stack) in table.aliases
    assert (table.inputs["hashKey"], table.inputs["attributes"]) == (
        "sku",
        [{"name": "sku", "type": "N"}],
    )
    assert json.loads(deployment.one(FUNCTION).inputs["environment"]["variables"]["TABLES"]) == {
        "Products": table.state["name"]
    }
    (warning,) = [r.getMessage() for r in caplog.records if "replaced by tables" in r.getMessage()]
    assert "dynamodb-operations:tables:\n    Products:\n      hashKey: sku" in warning


def test_the_tables_form_of_a_single_renamed_table_keeps_it_too():
    deployment = run_program(
        "dev", {"tables": with_needed_tables("dev", {"Products": {"hashKey": "sku"}})}
    )

    table = tables_by_logical_name(deployment)["Products"]
    assert V1_TABLE_URN.format(stack="dev") in table.aliases


def urns(tables: dict) -> dict[str, str]:
    """Each logical table's URN when a stack declares ``tables``."""
    deployment = run_program("dev", {"tables": with_needed_tables("dev", tables)})
    return {name: table.urn for name, table in tables_by_logical_name(deployment).items()}


def test_adding_or_removing_a_table_renames_no_other_table():
    """A table's URN depends on its own name only: another table coming or going replaces none."""
    products, invoices, tutorial = (
        {"Products": {"hashKey": "sku"}},
        {"Invoices": {"hashKey": "invoiceId"}},
        {"LambdaTable": {"hashKey": "Id"}},
    )
    stages = [products, {**products, **invoices}, invoices, {**invoices, **tutorial}, tutorial]

    seen: dict[str, set[str]] = {}
    for stage in stages:
        for name, urn in urns(stage).items():
            seen.setdefault(name, set()).add(urn)

    assert {name: len(seen[name]) for name in ("Products", "Invoices", "LambdaTable")} == {
        "Products": 1,
        "Invoices": 1,
        "LambdaTable": 1,
    }
    assert seen["LambdaTable"] == {V1_TABLE_URN.format(stack="dev")}


def test_prod_tables_are_protected_and_dev_tables_are_not(dev, prod, orders):
    assert [t.protect for t in prod.of_type(TABLE) if t.name.endswith("-table")] == [True]
    assert [t.protect for t in dev.of_type(TABLE) if t.name.endswith("-table")] == [False]
    assert not [t for t in orders.of_type(TABLE) if t.protect]


def test_a_table_may_be_protected_on_its_own():
    tables = {"Ledger": {"hashKey": "id", "deletionProtection": True}, "Cache": {"hashKey": "id"}}
    deployment = run_program("dev", {"tables": with_needed_tables("dev", tables)})
    tables = tables_by_logical_name(deployment)

    assert tables["Ledger"].protect is True
    assert tables["Ledger"].inputs["deletionProtectionEnabled"] is True
    assert tables["Cache"].protect is False


def test_streams_local_indexes_and_included_projections_are_deployed():
    deployment = run_program(
        "dev",
        {
            "tables": with_needed_tables(
                "dev",
                {
                    "Events": {
                        "hashKey": "stream",
                        "rangeKey": "seq",
                        "rangeKeyType": "N",
                        "stream": "NEW_AND_OLD_IMAGES",
                        "localSecondaryIndexes": {
                            "byKind": {"rangeKey": "kind", "projection": "KEYS_ONLY"}
                        },
                        "globalSecondaryIndexes": {
                            "byUser": {"hashKey": "user", "projection": ["title"]}
                        },
                    }
                },
            )
        },
    )
    events = tables_by_logical_name(deployment)["Events"].inputs

    assert (events["streamEnabled"], events["streamViewType"]) == (True, "NEW_AND_OLD_IMAGES")
    assert events["localSecondaryIndexes"] == [
        {"name": "byKind", "rangeKey": "kind", "projectionType": "KEYS_ONLY"}
    ]
    assert events["globalSecondaryIndexes"][0]["projectionType"] == "INCLUDE"
    assert events["globalSecondaryIndexes"][0]["nonKeyAttributes"] == ["title"]


def test_twenty_tables_fit_far_inside_lambdas_environment_and_inside_iams_policy_limit(capsys):
    tables = {
        f"Table{number:02}Name": {
            "hashKey": "customerId",
            "rangeKey": "orderId",
            "globalSecondaryIndexes": {"byStatus": {"hashKey": "status", "rangeKey": "createdAt"}},
        }
        for number in range(20)
    }
    deployment = run_program(
        "prod",
        {
            "tables": with_needed_tables("prod", tables),
            "corsAllowOrigin": "https://app.example.com",
        },
    )
    variables = deployment.one(FUNCTION).inputs["environment"]["variables"]

    size = sum(len(key) + len(value) for key, value in variables.items())
    policy = json.loads(deployment.one(ROLE_POLICY).inputs["policy"])
    policy_size = len(json.dumps(policy, separators=(",", ":")))
    with capsys.disabled():
        print(
            f"\n  20 tables: environment {size} of {LAMBDA_ENVIRONMENT_LIMIT} bytes, "
            f"role policy {policy_size} of {INLINE_POLICY_LIMIT} characters"
        )
    assert set(tables) <= set(json.loads(variables["TABLES"]))
    assert size < LAMBDA_ENVIRONMENT_LIMIT / 2
    assert policy_size < INLINE_POLICY_LIMIT


def test_an_operation_that_needs_a_missing_index_fails_the_program_naming_both(plugin_package):
    package = plugin_package({"by_region": NEEDS_AN_INDEX})

    with pytest.raises(
        OperationRequirementError,
        match=r"'by-region' .* needs index 'byRegion' on table 'Orders'.*its indexes: byStatus",
    ):
        run_program("orders", {"operationPackages": ["operations", package]})


def test_an_operation_that_needs_a_missing_table_fails_the_program_naming_both(plugin_package):
    package = plugin_package({"probe_archive": NEEDS_A_TABLE})

    with pytest.raises(
        OperationRequirementError, match=r"'probe-archive' .* needs table 'ProbeArchive'"
    ):
        run_program("dev", {"operationPackages": ["operations", package]})


def test_a_stack_file_with_an_unknown_setting_fails_the_program_naming_the_nearest():
    with pytest.raises(
        SettingsError, match=r"config tabels is not a setting.*did you mean tables\?"
    ):
        run_program("dev", {"tabels": {"Orders": {"hashKey": "id"}}})


def test_a_malformed_table_map_is_the_deployments_error_not_the_callers(monkeypatch):
    monkeypatch.setenv("TABLES", '{"Orders": "orders-1"}')
    monkeypatch.setenv("TABLE_KEYS", '{"Orders": "customerId"}')

    with pytest.raises(TablesConfigError, match="TABLE_KEYS of table 'Orders'"):
        configured()
