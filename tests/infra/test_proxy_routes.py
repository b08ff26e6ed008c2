"""A stack with ``routes: proxy``, as deployed: the seed's catch-all resource and method.

The REST API keeps ``POST /DynamoDBManager`` as it is and has one other resource,
``/{proxy+}`` with API Gateway's ANY method, passed through to the function, which
routes (its 404 for a route it lacks). API Gateway may invoke the function on any
path of the API, and on no other API's. The document ``make serve`` shows and the
stack's ``openapi`` output still list every route, for readers.
"""

from __future__ import annotations

import json

import pytest

from function.registry import Registry
from function.routes import Route
from infra import openapi
from infra.api import EVERY_PATH, invoke_source_paths
from infra.settings import stack_settings
from tests.infra import api_gateway_import as rules
from tests.infra.api_gateway_import import ANY_METHOD, body_violations, violations
from tests.infra.conftest import Deployment, run_everything, run_program
from tests.infra.test_program import DEPLOYMENT, PERMISSION, REST_API, api_document
from tests.infra.test_table_routes import allowed, arn_like

PROXY = "/{proxy+}"
ENVELOPE = "/DynamoDBManager"


@pytest.fixture(scope="module")
def proxied() -> Deployment:
    """The dev stack (open, no CORS) with the catch-all."""
    return run_program("dev", {"routes": "proxy"})


@pytest.fixture(scope="module")
def proxied_everything(tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    """Every optional part on (an API key, CORS, an alias to call) with the catch-all."""
    return run_everything(tmp_path_factory.mktemp("everything-proxy"), {"routes": "proxy"})


@pytest.fixture(scope="module")
def proxied_iam() -> Deployment:
    return run_program("dev", {"routes": "proxy", "authMode": "iam"})


def body_of(deployment: Deployment) -> str:
    return str(deployment.one(REST_API).inputs["body"])


def test_the_api_is_the_tutorials_resource_as_before_and_the_catch_all(dev, proxied):
    document = api_document(proxied)
    post = document["paths"][ENVELOPE]["post"]

    assert list(document["paths"]) == [ENVELOPE, PROXY]
    assert document["paths"][ENVELOPE] == api_document(dev)["paths"][ENVELOPE]
    catch_all = document["paths"][PROXY]
    assert list(catch_all) == [ANY_METHOD]
    assert (
        catch_all[ANY_METHOD]["x-amazon-apigateway-integration"]
        == (post["x-amazon-apigateway-integration"])
    )
    assert post["x-amazon-apigateway-integration"]["type"] == "aws_proxy"
    assert [(p["name"], p["in"], p["required"]) for p in catch_all[ANY_METHOD]["parameters"]] == [
        ("proxy", "path", True)
    ]
    assert "x-amazon-apigateway-request-validator" not in catch_all[ANY_METHOD]
    assert list(document["components"]["schemas"]) == ["DynamoDBOperationsRequest"]


def test_the_catch_all_takes_the_stacks_security_and_with_cors_the_preflight(
    everything, proxied_everything, proxied_iam
):
    document = api_document(proxied_everything)
    catch_all = document["paths"][PROXY]
    post = document["paths"][ENVELOPE]["post"]

    assert document["paths"][ENVELOPE] == api_document(everything)["paths"][ENVELOPE]
    assert set(catch_all) == {ANY_METHOD, "options"}
    assert catch_all[ANY_METHOD]["security"] == post["security"] == [{"api_key": []}]
    assert (
        catch_all[ANY_METHOD]["x-amazon-apigateway-integration"]["uri"]
        == (post["x-amazon-apigateway-integration"]["uri"])
    )
    # The alias the stack publishes is what both call.
    assert post["x-amazon-apigateway-integration"]["uri"].endswith(":live/invocations")
    preflight = catch_all["options"]
    assert preflight["x-amazon-apigateway-integration"]["type"] == "mock"
    assert preflight["security"] == []
    assert [p["name"] for p in preflight["parameters"]] == ["proxy"]
    iam = api_document(proxied_iam)
    assert iam["paths"][PROXY][ANY_METHOD]["security"] == [{"sigv4": []}]


@pytest.mark.parametrize("stack", ["proxied", "proxied_everything", "proxied_iam"])
def test_each_catch_all_body_keeps_api_gateways_import_rules(stack, request):
    """``/{proxy+}`` with ANY beside the literal ``/DynamoDBManager`` is what the guide
    allows: a proxy resource with non-proxy siblings, which take precedence."""
    found = body_violations(body_of(request.getfixturevalue(stack)))

    assert not found, "\n".join(map(str, found))


def test_a_resource_below_the_catch_all_is_reported(proxied):
    document = json.loads(body_of(proxied))
    document["paths"]["/{proxy+}/tags"] = document["paths"][PROXY]

    found = violations(document)

    assert [(violation.path, violation.rule) for violation in found] == [
        ("$.paths['/{proxy+}/tags']", rules.GREEDY_LAST)
    ]
    assert rules.PROXY_RESOURCE in str(found[0])


def test_readers_still_get_every_route_listed(proxied):
    """The stack's ``openapi`` output (what ``/docs`` shows locally) lists the routes the
    function serves behind the catch-all, with their parameters and answers."""
    output = json.loads(proxied.outputs["openapi"])
    settings = stack_settings("dev").model_copy(update={"routes": "proxy"})
    served = openapi.document(Registry(settings.operation_packages).all(), settings)

    for described in (output, served):
        assert PROXY not in described["paths"]
        assert {"/LambdaTable/items", "/LambdaTable/items/{Id}"} <= set(described["paths"])
        assert set(described["paths"]["/LambdaTable/items/{Id}"]) == {
            "get",
            "put",
            "patch",
            "delete",
        }


def test_api_gateway_may_invoke_the_function_on_any_path_of_this_api_alone(proxied):
    execution_arn = proxied.one(REST_API).state["executionArn"]
    api_id = execution_arn.rsplit(":", 1)[1]
    other_api = execution_arn.replace(api_id, "zzzzzzzzzz")

    for method, path in [
        ("POST", ENVELOPE),
        ("ANY", PROXY),
        ("GET", "/LambdaTable/items/7"),
        ("PATCH", "/anything/deep/path"),
        ("DELETE", "/Unknown"),
        ("OPTIONS", "/LambdaTable/items/a%2Fb"),
    ]:
        assert allowed(proxied, f"{execution_arn}/dev/{method}{path}"), (method, path)
        assert not allowed(proxied, f"{other_api}/dev/{method}{path}"), (method, path)
    assert sorted(p.name for p in proxied.of_type(PERMISSION)) == [
        "dynamodb-operations-permission",
        "dynamodb-operations-permission-proxy",
    ]
    waits_for = proxied.one(DEPLOYMENT).dependencies
    assert all(p.urn in waits_for for p in proxied.of_type(PERMISSION))


def test_the_catch_alls_permission_is_every_path_whatever_the_routes():
    many = [Route("GET", f"/Table{n:02d}/items", "scan", f"Table{n:02d}") for n in range(60)]
    arn = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234"

    for routes in ([], many):
        assert invoke_source_paths(routes, catch_all=True) == {"proxy": EVERY_PATH}
    assert arn_like(f"{arn}{EVERY_PATH}", f"{arn}/live/GET/orders/7/lines")
    assert not arn_like(f"{arn}{EVERY_PATH}", "arn:aws:execute-api:us-east-1:123456789012:other")
