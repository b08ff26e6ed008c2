"""The function's IAM policies, derived from what the registered operations declare.

The function may do exactly what its operations say they need, on its own table
and nothing else: the union of the declared table actions on the table's ARN,
index actions on its indexes only if some operation declares them, keeping
idempotency records in its own table (:mod:`function.idempotency`), writing to
its own log group, and sending traces when tracing is on (X-Ray's actions take
no resource, so they are the one ``"*"``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from function import idempotency
from function.registry import Operation

POLICY_VERSION = "2012-10-17"
LOG_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")
XRAY_ACTIONS = ("xray:PutTelemetryRecords", "xray:PutTraceSegments")


def table_actions(operations: Iterable[Operation]) -> list[str]:
    """Every action any operation declares on the table, sorted, once each."""
    return sorted({action for operation in operations for action in operation.actions})


def index_actions(operations: Iterable[Operation]) -> list[str]:
    """Every action any operation declares on the table's indexes, sorted, once each."""
    return sorted({action for operation in operations for action in operation.index_actions})


def function_policy(
    operations: Iterable[Operation],
    *,
    table_arn: str,
    log_group_arn: str,
    tracing: bool,
    idempotency_table_arn: str | None = None,
) -> dict[str, Any]:
    """The inline policy of the function's role (a policy document as a dict)."""
    operations = list(operations)
    statements: list[dict[str, Any]] = []
    if on_table := table_actions(operations):
        statements.append(_allow("TableActions", on_table, table_arn))
    if on_indexes := index_actions(operations):
        statements.append(_allow("IndexActions", on_indexes, f"{table_arn}/index/*"))
    if idempotency_table_arn is not None:
        statements.append(
            _allow("IdempotencyRecords", sorted(idempotency.ACTIONS), idempotency_table_arn)
        )
    statements.append(_allow("WriteOwnLogs", list(LOG_ACTIONS), f"{log_group_arn}:*"))
    if tracing:
        statements.append(_allow("SendTraces", list(XRAY_ACTIONS), "*"))
    return {"Version": POLICY_VERSION, "Statement": statements}


def lambda_trust_policy() -> dict[str, Any]:
    """The role's trust policy: only the Lambda service may assume it."""
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def _allow(sid: str, actions: list[str], resource: str) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}
