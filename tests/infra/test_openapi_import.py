"""Every stack's REST API body keeps API Gateway's documented import rules.

A body breaking one fails the first ``pulumi up`` at import, or imports with a
check dropped; neither shows under Pulumi's mocks, so the rules of
:mod:`tests.infra.api_gateway_import`, each with its page, are checked here on
what the program sends, and shown to catch a body that breaks them.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.infra import api_gateway_import as rules
from tests.infra.api_gateway_import import (
    ANY_METHOD,
    Rule,
    Violation,
    body_violations,
    violations,
)
from tests.infra.conftest import Deployment, run_program

REST_API = "aws:apigateway/restApi:RestApi"
MODEL = "DynamoDBOperationsRequest"
POST = "$.paths['/DynamoDBManager'].post"
OPTIONS = "$.paths['/DynamoDBManager'].options"
ITEM = "/LambdaTable/items/{Id}"


@pytest.fixture(scope="module")
def orders() -> Deployment:
    """The orders stack (its tables and orders_ops), as ``pulumi up`` would deploy it."""
    return run_program("orders")


@pytest.fixture(scope="module")
def iam() -> Deployment:
    """The dev stack with ``authMode: iam``: the one security scheme no stack file uses."""
    return run_program("dev", {"authMode": "iam"})


def body_of(deployment: Deployment) -> str:
    return str(deployment.one(REST_API).inputs["body"])


def report(found: list[Violation]) -> str:
    return "\n".join(str(violation) for violation in found)


@pytest.mark.parametrize("stack", ["dev", "prod", "orders", "everything", "iam"])
def test_each_stacks_body_keeps_api_gateways_import_rules(stack, request):
    found = body_violations(body_of(request.getfixturevalue(stack)))

    assert not found, report(found)


def test_the_body_holds_what_the_rules_are_about(everything, iam):
    """The checks are not vacuous: the bodies hold a model, both integrations, a validator,
    gateway responses and both security schemes."""
    document = json.loads(body_of(everything))
    route = document["paths"]["/DynamoDBManager"]

    assert list(document["components"]["schemas"]) == [MODEL]
    assert route["post"]["x-amazon-apigateway-integration"]["type"] == "aws_proxy"
    assert route["options"]["x-amazon-apigateway-integration"]["type"] == "mock"
    assert (
        route["post"]["x-amazon-apigateway-request-validator"]
        in (document["x-amazon-apigateway-request-validators"])
    )
    assert document["x-amazon-apigateway-gateway-responses"]
    assert document["components"]["securitySchemes"]["api_key"]["type"] == "apiKey"
    sigv4 = json.loads(body_of(iam))["components"]["securitySchemes"]["sigv4"]
    assert sigv4["x-amazon-apigateway-authtype"] == "awsSigv4"
    item = document["paths"][ITEM]
    assert set(item) == {"get", "put", "patch", "delete", "options", ANY_METHOD}
    assert [p["name"] for p in item[ANY_METHOD]["parameters"]] == ["Id"]
    # Table routes with variables beside each other: the partition's page and the item.
    assert {"/Orders/items/{customerId}", "/Orders/items/{customerId}/{orderId}"} <= set(
        document["paths"]
    )


def renamed_model(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    schemas["order-status"] = schemas.pop(MODEL)
    content = document["paths"]["/DynamoDBManager"]["post"]["requestBody"]["content"]
    content["application/json"]["schema"]["$ref"] = "#/components/schemas/order-status"


def one_of_in_model(document: dict[str, Any]) -> None:
    model = document["components"]["schemas"][MODEL]
    model["properties"]["payload"]["oneOf"] = [{"type": "object"}, {"type": "array"}]


def default_operation(document: dict[str, Any]) -> None:
    document["components"]["schemas"][MODEL]["properties"]["operation"]["default"] = "ping"


def nullable_table(document: dict[str, Any]) -> None:
    document["components"]["schemas"][MODEL]["properties"]["tableName"]["nullable"] = True


def slow_integration(document: dict[str, Any]) -> None:
    post = document["paths"]["/DynamoDBManager"]["post"]
    post["x-amazon-apigateway-integration"]["timeoutInMillis"] = 30_000


def undeclared_validator(document: dict[str, Any]) -> None:
    document["paths"]["/DynamoDBManager"]["post"]["x-amazon-apigateway-request-validator"] = "all"


def unknown_gateway_response(document: dict[str, Any]) -> None:
    responses = document["x-amazon-apigateway-gateway-responses"]
    responses["TOO_MANY_REQUESTS"] = responses["DEFAULT_4XX"]


def openapi_31(document: dict[str, Any]) -> None:
    document["openapi"] = "3.1.0"


def lambda_by_get(document: dict[str, Any]) -> None:
    document["paths"]["/DynamoDBManager"]["post"]["x-amazon-apigateway-integration"][
        "httpMethod"
    ] = "GET"


def undeclared_preflight_header(document: dict[str, Any]) -> None:
    options = document["paths"]["/DynamoDBManager"]["options"]
    del options["responses"]["200"]["headers"]["Access-Control-Allow-Methods"]


def security_at_the_root(document: dict[str, Any]) -> None:
    document["security"] = document["paths"]["/DynamoDBManager"]["post"].pop("security")


def sibling_variable(document: dict[str, Any]) -> None:
    """``/LambdaTable/items/{key}/tags`` beside ``/LambdaTable/items/{Id}``."""
    get = copy.deepcopy(document["paths"][ITEM]["get"])
    get["parameters"][0]["name"] = "key"
    document["paths"]["/LambdaTable/items/{key}/tags"] = {"get": get}


def undeclared_path_parameter(document: dict[str, Any]) -> None:
    del document["paths"][ITEM]["delete"]["parameters"]


def resources_over_the_quota(document: dict[str, Any]) -> None:
    """A hundred more tables' routes, three resources each: over 300 in all."""
    for number in range(100):
        table = f"Table{number:03d}"
        for path in (f"/{table}/items", f"/{table}/items/{{Id}}"):
            item = document["paths"][path.replace(table, "LambdaTable")]
            document["paths"][path] = copy.deepcopy(item)


def method_without_integration(document: dict[str, Any]) -> None:
    del document["paths"][ITEM][ANY_METHOD]["x-amazon-apigateway-integration"]


BROKEN: list[tuple[Callable[[dict[str, Any]], None], str, Rule]] = [
    (renamed_model, "$.components.schemas['order-status']", rules.MODEL_NAME),
    (
        one_of_in_model,
        f"$.components.schemas.{MODEL}.properties.payload.oneOf",
        rules.ONE_OF,
    ),
    (
        default_operation,
        f"$.components.schemas.{MODEL}.properties.operation.default",
        rules.DEFAULT,
    ),
    (
        nullable_table,
        f"$.components.schemas.{MODEL}.properties.tableName.nullable",
        rules.MODEL_DRAFT_04,
    ),
    (
        slow_integration,
        f"{POST}['x-amazon-apigateway-integration'].timeoutInMillis",
        rules.TIMEOUT,
    ),
    (
        undeclared_validator,
        f"{POST}['x-amazon-apigateway-request-validator']",
        rules.VALIDATOR_RULE,
    ),
    (
        unknown_gateway_response,
        "$['x-amazon-apigateway-gateway-responses'].TOO_MANY_REQUESTS",
        rules.GATEWAY_RESPONSE_TYPE,
    ),
    (openapi_31, "$.openapi", rules.OPENAPI_VERSION),
    (lambda_by_get, f"{POST}['x-amazon-apigateway-integration'].httpMethod", rules.LAMBDA_POST),
    (
        undeclared_preflight_header,
        f"{OPTIONS}['x-amazon-apigateway-integration'].responses.default.responseParameters"
        "['method.response.header.Access-Control-Allow-Methods']",
        rules.INTEGRATION_HEADERS,
    ),
    (security_at_the_root, "$.security", rules.ROOT_SECURITY),
    (sibling_variable, "$.paths['/LambdaTable/items/{key}/tags']", rules.SIBLING_VARIABLES),
    (undeclared_path_parameter, f"$.paths['{ITEM}'].delete", rules.PATH_PARAMETERS),
    (resources_over_the_quota, "$.paths", rules.RESOURCES),
    (
        method_without_integration,
        f"$.paths['{ITEM}']['{ANY_METHOD}']",
        rules.METHOD_INTEGRATION,
    ),
]


@pytest.mark.parametrize(
    ("breaks", "path", "rule"), BROKEN, ids=[breaks.__name__ for breaks, _, _ in BROKEN]
)
def test_a_body_breaking_a_rule_is_reported_at_its_path_with_the_rule_and_page(
    everything, breaks, path, rule
):
    document = json.loads(body_of(everything))
    breaks(document)

    found = violations(document)

    assert [(violation.path, violation.rule) for violation in found] == [(path, rule)]
    message = str(found[0])
    assert message.startswith(f"{path}: ")
    assert rule.says in message
    assert rule.source in message


def test_a_keyword_api_gateway_drops_says_its_check_does_not_happen_on_aws(dev):
    document = json.loads(body_of(dev))
    default_operation(document)

    (found,) = violations(document)

    assert "at best dropped" in str(found)
    assert "request validator does not check it" in str(found)


def test_a_body_over_the_import_size_is_reported(dev):
    document = json.loads(body_of(dev))
    document["info"]["description"] = "x" * rules.MAX_DEFINITION_BYTES

    found = body_violations(json.dumps(document))

    assert [(violation.path, violation.rule) for violation in found] == [
        ("$", rules.DEFINITION_SIZE)
    ]


def test_a_model_referenced_but_missing_is_reported_as_the_import_warning_it_is(dev):
    document = json.loads(body_of(dev))
    broken = copy.deepcopy(document)
    del broken["components"]["schemas"][MODEL]

    found = violations(broken)

    ref = f"{POST}.requestBody.content['application/json'].schema['$ref']"
    assert (ref, rules.MISSING_MODEL) in [(violation.path, violation.rule) for violation in found]


def test_every_rule_names_the_page_it_comes_from():
    named = [value for value in vars(rules).values() if isinstance(value, Rule)]

    assert len(named) > 30
    for rule in named:
        for page in rule.source.split("; "):
            assert page.startswith(
                (
                    "https://docs.aws.amazon.com/apigateway/",
                    "https://spec.openapis.org/",
                    rules.IMPORTER_ISSUES,
                )
            ), rule
