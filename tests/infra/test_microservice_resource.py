"""``microserviceResource``: the console's microservice blueprint resource, as deployed.

The orders stack sets it (REST, listed), and so does the everything-http stack (HTTP API).
"""

from __future__ import annotations

import pytest

from function.routes import MICROSERVICE_ENV, RouteDefinitionError
from infra.settings import SettingsError
from tests.infra.conftest import run_program
from tests.infra.test_http_api import routes_of
from tests.infra.test_program import FUNCTION, api_document
from tests.infra.test_table_routes import allowed

RESOURCE = "/lambda-microservice"
BLUEPRINT_METHODS = ["get", "post", "put", "delete"]


def test_a_rest_api_has_the_resource_with_each_blueprint_method_and_the_others_for_a_405(
    orders,
):
    document = api_document(orders)
    item = document["paths"][RESOURCE]
    envelope = document["paths"]["/DynamoDBManager"]["post"]["x-amazon-apigateway-integration"]

    assert list(item) == [*BLUEPRINT_METHODS, "x-amazon-apigateway-any-method"]
    for method in item.values():
        assert method["x-amazon-apigateway-integration"]["uri"] == envelope["uri"]
        assert method["x-amazon-apigateway-integration"]["type"] == "aws_proxy"
        assert method["security"] == [{"api_key": []}]
    execution_arn = orders.one("aws:apigateway/restApi:RestApi").state["executionArn"]
    for method in ("GET", "POST", "PUT", "DELETE", "PATCH"):
        assert allowed(orders, f"{execution_arn}/dev/{method}{RESOURCE}")
    assert not allowed(orders, f"{execution_arn}/dev/GET{RESOURCE}/deeper")


def test_the_function_is_told_the_resource_and_only_where_the_stack_names_one(orders, dev):
    variables = orders.one(FUNCTION).inputs["environment"]["variables"]

    assert variables[MICROSERVICE_ENV] == "lambda-microservice"
    assert MICROSERVICE_ENV not in dev.one(FUNCTION).inputs["environment"]["variables"]
    assert RESOURCE not in api_document(dev)["paths"]


def test_an_http_api_has_a_route_for_each_blueprint_method(everything_http):
    keys = routes_of(everything_http)

    for method in BLUEPRINT_METHODS:
        assert f"{method.upper()} {RESOURCE}" in keys


@pytest.mark.parametrize(
    ("resource", "error", "message"),
    [
        ("a/b", SettingsError, "config microserviceResource must be one path segment"),
        ("DynamoDBManager", RouteDefinitionError, "the envelope's"),
    ],
)
def test_a_resource_that_cannot_be_one_is_refused(resource, error, message):
    with pytest.raises(error, match=message):
        run_program("dev", {"microserviceResource": resource})
