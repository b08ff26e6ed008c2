"""The function's policy is derived from what operations declare, per table, and nothing more."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from function.registry import Operation
from infra.grants import OperationRequirementError, check_requirements, table_grants
from infra.policy import PolicyTooLargeError, function_policy, lambda_trust_policy, policy_json

ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/{}-1a2b3c4"
LOG_GROUP_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/orders"
ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:Scan"]
#: Two tables: one without indexes, one with two.
TABLES = {"LambdaTable": (), "Orders": ("byStatus", "byDate")}


def op(
    name: str,
    actions: tuple[str, ...] = (),
    index_actions: tuple[str, ...] = (),
    *,
    tables: tuple[str, ...] | None = None,
    indexes: tuple[str, ...] = (),
) -> Operation:
    return Operation(
        name=name,
        run=lambda call: None,
        module=f"plugins.{name}",
        actions=actions,
        index_actions=index_actions,
        tables=tables,
        indexes=indexes,
    )


def policy(operations: list[Operation], tracing: bool = False, tables: dict | None = None) -> dict:
    tables = TABLES if tables is None else tables
    return function_policy(
        table_grants(operations, tables),
        table_arns={name: ARN.format(name) for name in tables},
        log_group_arn=LOG_GROUP_ARN,
        tracing=tracing,
    )


def grants(document: dict) -> set[tuple[str, str]]:
    pairs = set()
    for statement in document["Statement"]:
        resources = statement["Resource"]
        for resource in [resources] if isinstance(resources, str) else resources:
            pairs |= {(action, resource) for action in statement["Action"]}
    return pairs


def statements(document: dict) -> dict[str, dict]:
    return {statement["Sid"]: statement for statement in document["Statement"]}


def test_actions_two_operations_share_are_granted_once_and_sorted_on_each_table():
    document = policy(
        [
            op("read", ("dynamodb:GetItem",)),
            op("get", ("dynamodb:GetItem", "dynamodb:BatchGetItem")),
        ]
    )

    assert statements(document)["TableActions"] == {
        "Sid": "TableActions",
        "Effect": "Allow",
        "Action": ["dynamodb:BatchGetItem", "dynamodb:GetItem"],
        "Resource": [ARN.format("LambdaTable"), ARN.format("Orders")],
    }


def test_index_actions_go_on_exactly_the_indexes_that_exist_never_a_wildcard():
    document = policy([op("query", ("dynamodb:Query",), ("dynamodb:Query",))])

    index_grants = {resource for _, resource in grants(document) if "/index/" in resource}
    assert index_grants == {
        f"{ARN.format('Orders')}/index/byDate",
        f"{ARN.format('Orders')}/index/byStatus",
    }
    assert not {r for a, r in grants(document) if a.startswith("dynamodb:") and "*" in r}


def test_a_table_without_indexes_gets_no_index_statement():
    document = policy(
        [op("query", ("dynamodb:Query",), ("dynamodb:Query",))], tables={"LambdaTable": ()}
    )

    assert [s["Sid"] for s in document["Statement"]] == ["TableActions", "WriteOwnLogs"]


def test_an_operation_limited_to_a_table_adds_its_actions_to_that_table_only():
    document = policy(
        [
            op("read", ("dynamodb:GetItem",)),
            op("by-status", ("dynamodb:Query",), ("dynamodb:Query",), indexes=("byStatus",)),
            op("archive", ("dynamodb:DeleteItem",), tables=("Orders",)),
        ]
    )

    assert {(a, r) for a, r in grants(document) if a.startswith("dynamodb:")} == {
        ("dynamodb:GetItem", ARN.format("LambdaTable")),
        ("dynamodb:GetItem", ARN.format("Orders")),
        ("dynamodb:Query", ARN.format("Orders")),
        ("dynamodb:Query", f"{ARN.format('Orders')}/index/byStatus"),
        ("dynamodb:DeleteItem", ARN.format("Orders")),
    }


def test_operations_that_touch_no_table_get_only_their_log_streams():
    document = policy([op("echo"), op("ping")])

    assert document == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "WriteOwnLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{LOG_GROUP_ARN}:*",
            }
        ],
    }


def test_tables_granted_different_actions_get_statements_of_their_own():
    document = policy(
        [
            op("read", ("dynamodb:GetItem",)),
            op("archive", ("dynamodb:DeleteItem",), tables=("a-b",)),
        ],
        tables={"a-b": (), "a_b": (), "ab": ()},
    )

    table_statements = [s for s in document["Statement"] if s["Sid"].startswith("Table")]
    assert [(s["Sid"], s["Action"], s["Resource"]) for s in table_statements] == [
        ("TableActions", ["dynamodb:DeleteItem", "dynamodb:GetItem"], ARN.format("a-b")),
        ("TableActions2", ["dynamodb:GetItem"], [ARN.format("a_b"), ARN.format("ab")]),
    ]
    sids = [statement["Sid"] for statement in document["Statement"]]
    assert len(sids) == len(set(sids))
    assert all(sid.isalnum() for sid in sids)


def test_tracing_adds_x_ray_and_is_the_only_wildcard_resource():
    traced = statements(policy([op("read", ("dynamodb:GetItem",))], tracing=True))
    untraced = statements(policy([op("read", ("dynamodb:GetItem",))], tracing=False))

    assert traced["SendTraces"]["Action"] == ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
    assert [s["Sid"] for s in traced.values() if s["Resource"] == "*"] == ["SendTraces"]
    assert "SendTraces" not in untraced


@given(
    st.lists(
        st.tuples(
            st.sets(st.sampled_from(ACTIONS)),
            st.sets(st.sampled_from(ACTIONS)),
            st.none() | st.sets(st.sampled_from(sorted(TABLES)), min_size=1),
        ),
        max_size=5,
    ),
    st.booleans(),
)
def test_the_grant_is_always_exactly_the_declared_union_per_table(declarations, tracing):
    operations = [
        op(
            f"op{number}",
            tuple(actions),
            tuple(index_actions),
            tables=None if tables is None else tuple(sorted(tables)),
        )
        for number, (actions, index_actions, tables) in enumerate(declarations)
    ]

    expected = set()
    for actions, index_actions, on in declarations:
        for table in on or TABLES:
            expected |= {(a, ARN.format(table)) for a in actions}
            expected |= {
                (a, f"{ARN.format(table)}/index/{index}")
                for a in index_actions
                for index in TABLES[table]
            }
    expected |= {(a, f"{LOG_GROUP_ARN}:*") for a in ("logs:CreateLogStream", "logs:PutLogEvents")}
    if tracing:
        expected |= {(a, "*") for a in ("xray:PutTelemetryRecords", "xray:PutTraceSegments")}
    assert grants(policy(operations, tracing)) == expected
    assert policy(list(reversed(operations)), tracing) == policy(operations, tracing)


@pytest.mark.parametrize(
    ("needs", "message"),
    [
        ({"tables": ("Customers",)}, r"'archive' \(plugins.archive\) needs table 'Customers'"),
        (
            {"tables": ("LambdaTable",), "indexes": ("byStatus",)},
            r"'archive' .* needs index 'byStatus' on table 'LambdaTable'.*it has no indexes",
        ),
        (
            {"tables": ("Orders",), "indexes": ("byCustomer",)},
            r"needs index 'byCustomer' on table 'Orders'.*its indexes: byDate, byStatus",
        ),
        ({"indexes": ("byCustomer",)}, r"needs index 'byCustomer', which no table"),
    ],
)
def test_a_stack_lacking_what_an_operation_needs_is_refused_naming_both(needs, message):
    archive = op("archive", ("dynamodb:Query",), ("dynamodb:Query",), **needs)

    with pytest.raises(OperationRequirementError, match=message):
        check_requirements([archive], TABLES)


def test_an_operation_needing_only_an_index_runs_on_the_tables_that_have_it():
    by_status = op("by-status", ("dynamodb:Query",), ("dynamodb:Query",), indexes=("byStatus",))

    check_requirements([by_status], TABLES)
    assert [grant.table for grant in table_grants([by_status], TABLES) if grant.actions] == [
        "Orders"
    ]


def test_only_the_lambda_service_may_assume_the_role():
    (statement,) = lambda_trust_policy()["Statement"]

    assert statement == {
        "Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }


def test_a_policy_iam_would_refuse_for_its_size_is_refused_before_deploying():
    tables = {f"Table{n:03}": ("byStatus",) for n in range(80)}
    operations = [
        op(f"op{n}", ("dynamodb:GetItem",), ("dynamodb:Query",), tables=(f"Table{n:03}",))
        for n in range(80)
    ]

    with pytest.raises(PolicyTooLargeError, match=r"over IAM's 10240"):
        policy_json(policy(operations, tables=tables))
    assert len(policy_json(policy(operations[:10], tables=tables))) < 10240
