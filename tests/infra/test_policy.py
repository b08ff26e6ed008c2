"""The function's policy is derived from what operations declare, and nothing more."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from function.registry import Operation
from infra.policy import function_policy, lambda_trust_policy

TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/orders-1a2b3c4"
LOG_GROUP_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/orders"
ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:Scan"]


def op(name: str, actions: tuple[str, ...] = (), index_actions: tuple[str, ...] = ()) -> Operation:
    return Operation(
        name=name,
        run=lambda call: None,
        module=f"plugins.{name}",
        actions=actions,
        index_actions=index_actions,
    )


def policy(operations: list[Operation], tracing: bool = False) -> dict:
    return function_policy(
        operations, table_arn=TABLE_ARN, log_group_arn=LOG_GROUP_ARN, tracing=tracing
    )


def statements(document: dict) -> dict[str, dict]:
    return {statement["Sid"]: statement for statement in document["Statement"]}


def test_actions_two_operations_share_are_granted_once_and_sorted():
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
        "Resource": TABLE_ARN,
    }


def test_indexes_are_reachable_only_when_an_operation_declares_it():
    without = statements(policy([op("read", ("dynamodb:GetItem",))]))
    with_index = statements(
        policy([op("query", ("dynamodb:Query",), index_actions=("dynamodb:Query",))])
    )

    assert "IndexActions" not in without
    assert with_index["IndexActions"]["Action"] == ["dynamodb:Query"]
    assert with_index["IndexActions"]["Resource"] == f"{TABLE_ARN}/index/*"


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


def test_tracing_adds_x_ray_and_is_the_only_wildcard_resource():
    traced = statements(policy([op("read", ("dynamodb:GetItem",))], tracing=True))
    untraced = statements(policy([op("read", ("dynamodb:GetItem",))], tracing=False))

    assert traced["SendTraces"]["Action"] == ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
    assert [s["Sid"] for s in traced.values() if s["Resource"] == "*"] == ["SendTraces"]
    assert "SendTraces" not in untraced


@given(
    st.lists(
        st.tuples(st.sets(st.sampled_from(ACTIONS)), st.sets(st.sampled_from(ACTIONS))),
        max_size=5,
    ),
    st.booleans(),
)
def test_the_grant_is_always_exactly_the_declared_union(declarations, tracing):
    operations = [
        op(f"op{number}", tuple(actions), tuple(index_actions))
        for number, (actions, index_actions) in enumerate(declarations)
    ]

    granted = {
        (action, statement["Resource"])
        for statement in policy(operations, tracing)["Statement"]
        for action in statement["Action"]
    }

    expected = {(a, TABLE_ARN) for actions, _ in declarations for a in actions}
    expected |= {
        (a, f"{TABLE_ARN}/index/*") for _, index_actions in declarations for a in index_actions
    }
    expected |= {(a, f"{LOG_GROUP_ARN}:*") for a in ("logs:CreateLogStream", "logs:PutLogEvents")}
    if tracing:
        expected |= {(a, "*") for a in ("xray:PutTelemetryRecords", "xray:PutTraceSegments")}
    assert granted == expected
    assert policy(list(reversed(operations)), tracing) == policy(operations, tracing)


def test_only_the_lambda_service_may_assume_the_role():
    (statement,) = lambda_trust_policy()["Statement"]

    assert statement == {
        "Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
