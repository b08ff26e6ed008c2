"""The document the REST API is defined by (``RestApi.body``): :mod:`infra.openapi`'s, as API
Gateway imports it, with its extensions (no Pulumi here: the tests read it too).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from function.registry import Operation
from infra.openapi import REQUEST, document
from infra.rest_api import (
    CORS_ALLOW_HEADERS,
    CORS_ALLOW_METHODS,
    JSON,
    MODEL_NAME,
    RESOURCE_PATH,
    request_model_schema,
)
from infra.settings import Settings

#: API Gateway's catch-all method in a path item.
ANY_METHOD = "x-amazon-apigateway-any-method"
#: The seed's catch-all resource (``routes: proxy``) and its greedy path parameter.
PROXY_PATH = "/{proxy+}"
PROXY_PARAMETER = "proxy"
#: Where API Gateway says a specific resource wins over a proxy resource beside it.
PROXY_PRECEDENCE = (
    "https://docs.aws.amazon.com/apigateway/latest/developerguide/"
    "api-gateway-method-settings-method-request.html#api-gateway-proxy-resource"
)
BODY_VALIDATOR = "body"


def api_gateway_document(
    operations: Mapping[str, Operation], settings: Settings, integration_uri: str
) -> dict[str, Any]:
    """The document the REST API is defined by (``RestApi.body``), as API Gateway imports it.

    It is :func:`document` with API Gateway's extensions: the Lambda proxy
    integration, the body validator, API keys or IAM, and, when the stack turns
    CORS on, the preflight and the origin on API Gateway's own errors. Each table
    route's method is a Lambda proxy too, without a validator, and its path has an
    ANY method, so a method it does not list gets the function's 405. A stack with
    ``routes: proxy`` lists no route: beside ``POST /DynamoDBManager`` its one other
    resource is the seed's catch-all, ``/{proxy+}`` with an ANY method
    (:func:`_catch_all`), and the function routes what reaches it. What API
    Gateway's models cannot hold (``oneOf``, ``discriminator``, examples) is
    left out: its request model is the envelope with ``operation`` limited to
    the registered names (:func:`infra.rest_api.request_model_schema`, which the
    local gateway enforces too), and the function validates each payload
    against its operation's schema, answering with a message API Gateway's
    validator would not give. No ``servers``: the stage is the base path.
    """
    described = document(operations, settings)
    post = described["paths"][RESOURCE_PATH]["post"]
    post["requestBody"]["content"][JSON] = {"schema": {"$ref": REQUEST}}
    post["responses"] = {
        status: {"description": response["description"]}
        for status, response in post["responses"].items()
    }
    post["x-amazon-apigateway-request-validator"] = BODY_VALIDATOR
    post["x-amazon-apigateway-integration"] = _lambda_proxy(integration_uri)
    if settings.routes == "proxy":
        routes = {PROXY_PATH: {ANY_METHOD: _catch_all(post.get("security"), integration_uri)}}
    else:
        routes = {p: item for p, item in described["paths"].items() if p != RESOURCE_PATH}
        for item in routes.values():
            for method, operation in item.items():
                item[method] = _gateway_route_operation(operation, integration_uri)
            item[ANY_METHOD] = _any_other_method(next(iter(item.values())), integration_uri)
    described["paths"] = {RESOURCE_PATH: described["paths"][RESOURCE_PATH], **routes}
    model = request_model_schema(operations)
    del model["$schema"]  # OpenAPI's schema objects have none; API Gateway reads them as draft-04
    described["components"]["schemas"] = {MODEL_NAME: model}
    del described["servers"]
    described["x-amazon-apigateway-request-validators"] = {
        BODY_VALIDATOR: {"validateRequestBody": True, "validateRequestParameters": False}
    }
    if settings.auth_mode == "apiKey":
        described["x-amazon-apigateway-api-key-source"] = "HEADER"
    if settings.cors_allow_origin:
        described["paths"][RESOURCE_PATH]["options"] = _preflight(settings.cors_allow_origin)
        for item in routes.values():
            parameters = _path_parameters_of(item[ANY_METHOD])
            item["options"] = _preflight(settings.cors_allow_origin, parameters)
        described["x-amazon-apigateway-gateway-responses"] = {
            kind: {
                "responseParameters": {
                    "gatewayresponse.header.Access-Control-Allow-Origin": (
                        f"'{settings.cors_allow_origin}'"
                    )
                }
            }
            for kind in ("DEFAULT_4XX", "DEFAULT_5XX")
        }
    return described


def _lambda_proxy(integration_uri: str) -> dict[str, Any]:
    """The Lambda proxy integration: API Gateway passes the whole request to the function."""
    return {
        "type": "aws_proxy",
        "httpMethod": "POST",
        "uri": integration_uri,
        "passthroughBehavior": "when_no_match",
    }


def _gateway_route_operation(operation: Mapping[str, Any], integration_uri: str) -> dict[str, Any]:
    """A table route's method as API Gateway imports it: the Lambda proxy, no validator.

    The function checks the parameters and the body (it answers in the API's terms), so
    no model is made: the request body, the answers' schemas, links and tags are left out.
    """
    imported = {
        key: operation[key]
        for key in ("operationId", "summary", "description", "parameters", "security")
        if key in operation
    }
    imported["responses"] = {
        status: {"description": response["description"]}
        for status, response in operation["responses"].items()
    }
    imported["x-amazon-apigateway-integration"] = _lambda_proxy(integration_uri)
    return imported


def _any_other_method(operation: Mapping[str, Any], integration_uri: str) -> dict[str, Any]:
    """API Gateway's ANY on a route's path: every method it does not list reaches the function.

    Which answers 405 with ``Allow`` naming those it takes, where API Gateway would answer
    403 "Missing Authentication Token". API Gateway picks a listed method before ANY
    (the ANY object "will catch any HTTP method that wasn't explicitly declared",
    https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-any-method.html).
    """
    other: dict[str, Any] = {"summary": "Any other method: 405, with Allow"}
    parameters = _path_parameters_of(operation)
    if parameters:
        other["parameters"] = parameters
    if "security" in operation:
        other["security"] = operation["security"]
    other["responses"] = {
        "405": {"description": "The path does not take this method; `Allow` lists those it does."}
    }
    other["x-amazon-apigateway-integration"] = _lambda_proxy(integration_uri)
    return other


def _catch_all(security: list[dict[str, list[str]]] | None, integration_uri: str) -> dict[str, Any]:
    """The ANY method of ``/{proxy+}``: every path and method but ``/DynamoDBManager``'s.

    A request "against a specific resource takes precedence over a method request against
    a generic resource at the same level" (:data:`PROXY_PRECEDENCE`): ``/{proxy+}`` is
    every path below the root except ``/DynamoDBManager`` and below it, so a GET there
    stays API Gateway's 403 and the tutorial's resource is as it was. Everything else
    reaches the function, which routes by the path (``pathParameters.proxy``), answering
    404 for a route it does not have and 405 for a method a route's path does not take.
    """
    catch_all: dict[str, Any] = {
        "summary": "Any other path and method: the function routes it",
        "description": "The seed's catch-all resource (`routes: proxy`): the table routes and "
        "those operations declare are served here, as the document served by `make serve` "
        "and the stack's `openapi` output list them.",
        "parameters": [
            {
                "name": PROXY_PARAMETER,
                "in": "path",
                "required": True,
                "description": "The path below the stage, which the function routes.",
                "schema": {"type": "string"},
            }
        ],
    }
    if security is not None:
        catch_all["security"] = [dict(requirement) for requirement in security]
    catch_all["responses"] = {
        "200": {"description": "The route's answer (201 and 204 too, as each route says)."},
        "404": {"description": "No route has this path: the function's RouteNotFound."},
        "405": {"description": "The path does not take this method; `Allow` lists those it does."},
    }
    catch_all["x-amazon-apigateway-integration"] = _lambda_proxy(integration_uri)
    return catch_all


def _path_parameters_of(operation: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [p for p in operation.get("parameters", ()) if p["in"] == "path"]


def _preflight(origin: str, parameters: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The OPTIONS method: API Gateway answers browsers' preflight itself (a mock integration).

    ``parameters`` are the path's own, which OpenAPI wants declared on every method of it.
    """
    headers = {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Headers": CORS_ALLOW_HEADERS,
        "Access-Control-Allow-Methods": CORS_ALLOW_METHODS,
    }
    preflight: dict[str, Any] = {"summary": "CORS preflight", "security": []}
    if parameters:
        preflight["parameters"] = [dict(parameter) for parameter in parameters]
    return preflight | {
        "responses": {
            "200": {
                "description": "The CORS headers browsers ask for",
                "headers": {name: {"schema": {"type": "string"}} for name in headers},
                "content": {},
            }
        },
        "x-amazon-apigateway-integration": {
            "type": "mock",
            "requestTemplates": {JSON: '{"statusCode": 200}'},
            "passthroughBehavior": "when_no_match",
            "responses": {
                "default": {
                    "statusCode": "200",
                    "responseParameters": {
                        f"method.response.header.{name}": f"'{value}'"
                        for name, value in headers.items()
                    },
                    "responseTemplates": {JSON: "{}"},
                }
            },
        },
    }
