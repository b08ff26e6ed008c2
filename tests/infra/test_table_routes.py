"""The table routes as each stack deploys them: listed in the REST API, proxied to the function,
and allowed to invoke it, and nothing else.

API Gateway invokes the function on a route only where a permission's source ARN
pattern (``ArnLike``) matches the ARN it names the call by,
``{execution ARN}/{stage}/{METHOD}/{resource path}``: without one, the route answers
500 once deployed. The ARNs are built here as API Gateway builds them, for the route's
template and for a concrete path, and matched as IAM matches them.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from function.routes import DECLARED, Route
from infra.api import ALL_DEEPER_ROUTES, invoke_source_paths
from tests.infra.conftest import SESSION_RUNS, Deployment, deployment_of, run_program
from tests.infra.test_program import (
    DEPLOYMENT,
    PERMISSION,
    REST_API,
    api_document,
    called_by_api_gateway,
    post_method,
)

ANY_METHOD = "x-amazon-apigateway-any-method"
LISTED = ("get", "put", "post", "patch", "delete")
#: What reaches a route's ANY method: every method API Gateway takes that the path does not list.
EVERY_METHOD = ("GET", "PUT", "POST", "PATCH", "DELETE", "HEAD", "OPTIONS")


def route_paths(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {path: item for path, item in document["paths"].items() if path != "/DynamoDBManager"}


def test_the_dev_stacks_api_has_the_tutorial_tables_routes(dev):
    paths = route_paths(api_document(dev))

    listed = {
        (method.upper(), path)
        for path, item in paths.items()
        for method in item
        if method in LISTED and path.startswith("/LambdaTable/")
    }
    assert listed == {
        ("POST", "/LambdaTable/items"),
        ("GET", "/LambdaTable/items"),
        ("GET", "/LambdaTable/items/{Id}"),
        ("PUT", "/LambdaTable/items/{Id}"),
        ("PATCH", "/LambdaTable/items/{Id}"),
        ("DELETE", "/LambdaTable/items/{Id}"),
    }


def test_the_orders_stacks_api_pages_a_customers_orders_and_an_index(orders):
    paths = route_paths(api_document(orders))

    partition = paths["/Orders/items/{customerId}"]["get"]
    index = paths["/Orders/indexes/byStatus/items/{status}"]["get"]
    assert partition["operationId"] == "Orders.items.query"
    assert index["operationId"] == "Orders.indexes.byStatus.query"
    for page in (partition, index):
        assert {p["name"] for p in page["parameters"] if p["in"] == "query"} == {
            "limit",
            "cursor",
            "from",
            "to",
            "prefix",
            "order",
        }
    assert set(paths["/Orders/items/{customerId}/{orderId}"]) >= {"get", "put", "patch", "delete"}


@pytest.mark.parametrize("name", list(SESSION_RUNS))
def test_every_route_method_is_a_lambda_proxy_checked_by_the_function(name, request):
    """The integration of ``POST /DynamoDBManager``, its security, and no validator: the
    function checks keys, queries and bodies. Each path's ANY method sends the rest to it."""
    stack = deployment_of(name, request)
    document = api_document(stack)
    post = post_method(stack)
    integration = post["x-amazon-apigateway-integration"]
    paths = route_paths(document)

    assert paths
    assert integration["uri"] == called_by_api_gateway(stack).state["invokeArn"]
    for path, item in paths.items():
        for method, operation in item.items():
            if method == "options":
                assert operation["x-amazon-apigateway-integration"]["type"] == "mock"
                continue
            assert operation["x-amazon-apigateway-integration"] == integration, (path, method)
            assert operation.get("security") == post.get("security"), (path, method)
            assert "x-amazon-apigateway-request-validator" not in operation
            assert "requestBody" not in operation
        assert ANY_METHOD in item, path
        # The preflight where the stack turns CORS on (the everything stacks).
        assert ("options" in item) == name.startswith("everything"), path


def arn_like(pattern: str, arn: str) -> bool:
    """IAM's ``ArnLike``: each of the six colon-separated parts matched on its own, ``*`` any
    characters (``/`` included), ``?`` one, case-sensitive."""
    patterns, parts = pattern.split(":", 5), arn.split(":", 5)
    if len(patterns) != 6 or len(parts) != 6:
        return False
    for part_pattern, part in zip(patterns, parts, strict=True):
        expression = re.escape(part_pattern).replace(r"\*", ".*").replace(r"\?", ".")
        if not re.fullmatch(expression, part, flags=re.DOTALL):
            return False
    return True


def allowed(stack: Deployment, arn: str) -> bool:
    return any(arn_like(p.inputs["sourceArn"], arn) for p in stack.of_type(PERMISSION))


def concrete(path: str) -> str:
    """The route's path as a caller sends it: each variable given a value, one with a slash."""
    return re.sub(r"\{[^}]+\}", lambda _: "a%2Fb", path)


@pytest.mark.parametrize("name", list(SESSION_RUNS))
def test_api_gateway_may_invoke_the_function_on_every_route_and_nothing_else(name, request):
    stack = deployment_of(name, request)
    execution_arn = stack.one(REST_API).state["executionArn"]
    stage = stack.one("aws:apigateway/stage:Stage").inputs["stageName"]
    paths = route_paths(api_document(stack))

    for path, item in paths.items():
        methods = EVERY_METHOD if ANY_METHOD in item else [m.upper() for m in item]
        for method in methods:
            for sent in (path, concrete(path)):
                arn = f"{execution_arn}/{stage}/{method}{sent}"
                assert allowed(stack, arn), f"{name}: API Gateway may not call {arn}"
    assert allowed(stack, f"{execution_arn}/{stage}/POST/DynamoDBManager")
    api_id = execution_arn.rsplit(":", 1)[1]
    other_api = execution_arn.replace(api_id, "zzzzzzzzzz")
    assert not allowed(stack, f"{other_api}/{stage}/GET/LambdaTable/items")
    assert not allowed(stack, f"{other_api}/{stage}/POST/DynamoDBManager")
    assert not allowed(stack, f"{execution_arn}/{stage}/GET/DynamoDBManager")
    assert not allowed(stack, f"{execution_arn}/{stage}/GET/Elsewhere/items")


def test_the_deployment_waits_for_every_permission(orders):
    waits_for = orders.one(DEPLOYMENT).dependencies

    assert {p.name for p in orders.of_type(PERMISSION)} >= {
        "dynamodb-operations-permission",
        "dynamodb-operations-permission-LambdaTable",
        "dynamodb-operations-permission-Orders",
    }
    assert all(p.urn in waits_for for p in orders.of_type(PERMISSION))


def test_the_route_permissions_fit_the_functions_policy_however_many_tables():
    """Lambda refuses a function policy over 20 KB: past some 45 tables, one permission for
    every table route replaces one per table. It still leaves ``/DynamoDBManager`` out."""
    few = [f"Table{n:02d}" for n in range(10)]
    many = [f"Table{n:02d}" for n in range(60)]

    def routes(tables: list[str]) -> list[Route]:
        return [Route("GET", f"/{table}/items", "scan", table) for table in tables]

    one_segment = Route("GET", "/health", DECLARED, None, None, "health")
    assert invoke_source_paths(routes(few)) == {table: f"/*/*/{table}/*" for table in few}
    assert invoke_source_paths(routes(many)) == {"routes": ALL_DEEPER_ROUTES}
    assert invoke_source_paths([*routes(many), one_segment]) == {
        "routes": ALL_DEEPER_ROUTES,
        "health+itself": "/*/*/health",
    }
    assert invoke_source_paths([]) == {}
    # A table named like a one-segment route's permission gets a permission of its own.
    clash = [
        Route("GET", "/abc-itself/items", "scan", "abc-itself"),
        one_segment._replace(path="/abc"),
    ]
    assert invoke_source_paths(clash) == {
        "abc-itself": "/*/*/abc-itself/*",
        "abc+itself": "/*/*/abc",
    }
    arn = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234"
    pattern = f"{arn}{ALL_DEEPER_ROUTES}"
    assert arn_like(pattern, f"{arn}/live/GET/Table59/items")
    assert arn_like(pattern, f"{arn}/live/HEAD/Table00/indexes/byStatus/items/a%2Fb")
    assert not arn_like(pattern, f"{arn}/live/GET/DynamoDBManager")


def test_a_stack_of_many_tables_deploys_one_permission_for_all_their_routes():
    tables = {f"Table{n:02d}": {"hashKey": "pk"} for n in range(60)}
    stack = run_program("dev", {"tables": json.dumps({"LambdaTable": {"hashKey": "Id"}, **tables})})
    execution_arn = stack.one(REST_API).state["executionArn"]

    assert sorted(p.name for p in stack.of_type(PERMISSION)) == [
        "dynamodb-operations-permission",
        "dynamodb-operations-permission-routes",
    ]
    assert allowed(stack, f"{execution_arn}/dev/DELETE/Table42/items/7")
    assert allowed(stack, f"{execution_arn}/dev/POST/DynamoDBManager")
    assert not allowed(stack, f"{execution_arn}/dev/GET/DynamoDBManager")
