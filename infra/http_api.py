"""The HTTP API (API Gateway version 2) in front of the function: ``apiType: http``.

Cheaper and faster than the REST API, with fewer features
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-vs-rest.html):

* one Lambda proxy integration sends the function payload format 2.0 events
  (``function.events`` reads them), and gives up after 29 s, as a REST API does;
* a route per served route (``GET /LambdaTable/items/{Id}``) and ``POST
  /DynamoDBManager``, or, with ``routes: proxy``, the seed's catch-all ``ANY
  /{proxy+}`` beside ``POST /DynamoDBManager``: see :func:`route_keys` for the
  other methods of a route's path;
* each route is authorized as ``authMode`` says: IAM (SigV4), a JWT authorizer
  (``jwtIssuer``, ``jwtAudience``), or none. HTTP APIs have no API keys, usage
  plans or request validation: the settings refuse ``apiKey``, and the function
  validates every body, as it does behind a REST API;
* the ``$default`` stage deploys every change itself (``auto_deploy``), throttles
  as ``throttleRateLimit`` and ``throttleBurstLimit`` say, and writes the access
  log. Its URL has no stage segment: ``https://{api-id}.execute-api.{region}.amazonaws.com``;
* CORS is the API's own (``cors_configuration``): API Gateway answers preflights
  and adds the headers to the function's answers, whose own it ignores
  (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pulumi
import pulumi_aws as aws

from function.events import EXPOSED_HEADERS, PROXY_RESOURCE
from function.routes import Route
from infra.domain import http_custom_domain
from infra.gateway import Backend, Front, api_name
from infra.http_routes import path_route_keys
from infra.rest_api import CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, RESOURCE_PATH
from infra.settings import API_GATEWAY_TIMEOUT_SECONDS, Settings

#: The event shape the function is sent: "version": "2.0", rawPath, routeKey, requestContext.http.
PAYLOAD_FORMAT_VERSION = "2.0"
#: The stage every request reaches when no stage name starts its path, deployed on each change.
DEFAULT_STAGE = "$default"
#: API Gateway waits at most 30 s for an HTTP API's integration; it waits 29 s here, as for a
#: REST API, so the function's timeout (under 29 s) ends first and its 503 is what callers get.
INTEGRATION_TIMEOUT_MILLISECONDS = API_GATEWAY_TIMEOUT_SECONDS * 1000
#: "Routes per API: 300", a quota AWS raises on request
#: (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html).
ROUTES_PER_API = 300
#: Where API Gateway's JWT authorizer reads the token: ``Authorization: Bearer <JWT>``.
JWT_IDENTITY_SOURCE = "$request.header.Authorization"
#: Each ``authMode`` an HTTP API takes, as a route's authorization type.
AUTHORIZATION_TYPES = {"iam": "AWS_IAM", "jwt": "JWT", "none": "NONE"}
#: One JSON object per request, its fields named as the REST API's access log names them
#: where HTTP APIs have the same variable, so one Logs Insights query reads both
#: (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html).
ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "extendedRequestId": "$context.extendedRequestId",
    "requestTime": "$context.requestTime",
    "ip": "$context.identity.sourceIp",
    "caller": "$context.identity.caller",
    "user": "$context.identity.user",
    "userArn": "$context.identity.userArn",
    "jwtSubject": "$context.authorizer.claims.sub",
    "userAgent": "$context.identity.userAgent",
    "httpMethod": "$context.httpMethod",
    "routeKey": "$context.routeKey",
    "path": "$context.path",
    "protocol": "$context.protocol",
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationStatus": "$context.integration.status",
    "integrationLatency": "$context.integrationLatency",
    "integrationError": "$context.integration.error",
    "errorType": "$context.error.responseType",
    "errorMessage": "$context.error.message",
    "authorizerError": "$context.authorizer.error",
}


def route_keys(routes: Iterable[Route], settings: Settings) -> list[str]:
    """Every route key of the HTTP API, ``POST /DynamoDBManager`` first.

    Listed (``routes: listed``), each served route is one (``GET /T/items/{Id}``), and
    each of their paths takes the other methods too (:mod:`infra.http_routes`).
    ``routes: proxy`` has ``/{proxy+}`` take every method instead: the function routes.
    """
    by_path: dict[str, list[str]] = {}
    if settings.routes == "proxy":
        by_path[PROXY_RESOURCE] = []
    else:
        for route in routes:
            by_path.setdefault(route.path, []).append(route.method)
    keys = [f"POST {RESOURCE_PATH}"]
    for path, listed in by_path.items():
        keys += path_route_keys(path, listed, bool(settings.cors_allow_origin))
    return keys


def http_gateway(backend: Backend) -> Front:
    """The HTTP API, its routes and ``$default`` stage, in front of ``backend``'s function."""
    name, settings = backend.name, backend.settings
    api = aws.apigatewayv2.Api(
        f"{name}-api",
        name=api_name(pulumi.get_stack()),
        description=f"DynamoDB operations over HTTPS (POST /DynamoDBManager), stack "
        f"{pulumi.get_stack()}",
        protocol_type="HTTP",
        cors_configuration=_cors(settings),
        opts=backend.child(),
    )
    permissions = backend.permissions(api.execution_arn)
    # The integration and the routes wait for the permissions: the stage deploys each
    # change at once, and a route API Gateway may not invoke the function on answers 500.
    integration = aws.apigatewayv2.Integration(
        f"{name}-integration",
        api_id=api.id,
        description="The function, sent the whole request (payload format 2.0)",
        integration_type="AWS_PROXY",
        integration_method="POST",
        integration_uri=backend.invoke_arn,
        payload_format_version=PAYLOAD_FORMAT_VERSION,
        timeout_milliseconds=INTEGRATION_TIMEOUT_MILLISECONDS,
        opts=backend.child(depends_on=permissions),
    )
    keys = route_keys(backend.routes, settings)
    if len(keys) > ROUTES_PER_API:
        pulumi.log.warn(
            f"the HTTP API has {len(keys)} routes, over API Gateway's default quota of "
            f"{ROUTES_PER_API} routes per API: ask AWS for more (Service Quotas, API Gateway, "
            "'Routes per API'), or set routes: proxy"
        )
    authorization = _authorization(backend, api)
    for key in keys:
        aws.apigatewayv2.Route(
            f"{name}-route-{key.replace(' ', '')}",
            api_id=api.id,
            route_key=key,
            target=pulumi.Output.concat("integrations/", integration.id),
            **authorization,
            opts=backend.child(depends_on=permissions),
        )
    stage = aws.apigatewayv2.Stage(
        f"{name}-stage",
        api_id=api.id,
        name=DEFAULT_STAGE,
        auto_deploy=True,
        default_route_settings={
            "throttling_rate_limit": settings.throttle_rate_limit,
            "throttling_burst_limit": settings.throttle_burst_limit,
        },
        **_access_logs(backend),
    )
    base_url: pulumi.Output[str] = api.api_endpoint
    domain_target = None
    if settings.domain_name:
        domain = http_custom_domain(name, settings, api, stage, backend.child())
        base_url, domain_target = domain.base_url, domain.target
    return Front(
        base_url=base_url,
        api_type="http",
        api=api.id,
        stage_name=stage.name,
        domain_target=domain_target,
    )


def _cors(settings: Settings) -> aws.apigatewayv2.ApiCorsConfigurationArgsDict | None:
    """The API's own CORS: the stack's origin, the methods and headers the REST API's
    preflight allows, and the headers the function lets scripts read."""
    if not settings.cors_allow_origin:
        return None
    return {
        "allow_origins": [settings.cors_allow_origin],
        "allow_methods": CORS_ALLOW_METHODS.split(","),
        "allow_headers": CORS_ALLOW_HEADERS.split(","),
        "expose_headers": EXPOSED_HEADERS.split(","),
    }


def _authorization(backend: Backend, api: aws.apigatewayv2.Api) -> dict[str, Any]:
    """Each route's authorization: AWS_IAM, JWT through the stack's authorizer, or NONE."""
    settings = backend.settings
    authorization: dict[str, Any] = {"authorization_type": AUTHORIZATION_TYPES[settings.auth_mode]}
    if settings.auth_mode == "jwt":
        authorizer = aws.apigatewayv2.Authorizer(
            f"{backend.name}-jwt-authorizer",
            api_id=api.id,
            name="jwt",
            authorizer_type="JWT",
            identity_sources=[JWT_IDENTITY_SOURCE],
            jwt_configuration={
                "issuer": settings.jwt_issuer,
                "audiences": list(settings.jwt_audience),
            },
            opts=backend.child(),
        )
        authorization["authorizer_id"] = authorizer.id
    return authorization


def _access_logs(backend: Backend) -> dict[str, Any]:
    """The stage's JSON access log, where the stack turns it on.

    An HTTP API needs no CloudWatch role to write it: CloudWatch Logs delivers it, on
    the deployer's ``logs:CreateLogDelivery`` and ``logs:PutResourcePolicy``
    (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html).
    ``apiGatewayLoggingRole: manage`` still keeps the account's role, for REST APIs.
    """
    settings = backend.settings
    if not settings.access_logs:
        return {"opts": backend.child()}
    log_group = backend.access_log_group()
    if settings.api_gateway_logging_role == "manage":
        backend.api_gateway_logging_role()
    return {
        "access_log_settings": {
            "destination_arn": log_group.arn,
            "format": json.dumps(ACCESS_LOG_FORMAT, separators=(",", ":")),
        },
        "opts": backend.child(),
    }
