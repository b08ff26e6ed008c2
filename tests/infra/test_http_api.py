"""``apiType: http`` as each stack deploys it under mocks: an HTTP API in front of the function.

Its routes are the REST API's, one Lambda proxy integration sends them payload format 2.0,
and the ``$default`` stage deploys itself; IAM, a JWT authorizer or nothing authorizes each
route; API Gateway may invoke the function on every route and nothing else; the alarms and
the dashboard read the HTTP API's own metrics; settings an HTTP API cannot honour are
refused, naming the setting.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

import pytest
from openapi_spec_validator import validate

from function.registry import Registry
from infra import openapi
from infra.settings import SettingsError, project_values, settings_from
from tests.infra.aws_constraints import check_resource
from tests.infra.conftest import (
    EVERYTHING_HTTP,
    PROJECT,
    Deployment,
    Registered,
    run_program,
    write_stack_file,
)
from tests.infra.test_program import called_by_api_gateway
from tests.infra.test_table_routes import EVERY_METHOD, allowed, concrete

API = "aws:apigatewayv2/api:Api"
INTEGRATION = "aws:apigatewayv2/integration:Integration"
ROUTE = "aws:apigatewayv2/route:Route"
STAGE = "aws:apigatewayv2/stage:Stage"
AUTHORIZER = "aws:apigatewayv2/authorizer:Authorizer"
API_MAPPING = "aws:apigatewayv2/apiMapping:ApiMapping"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
#: What only a REST API has: none of it is in an HTTP API stack.
REST_ONLY = (
    "aws:apigateway/restApi:RestApi",
    "aws:apigateway/deployment:Deployment",
    "aws:apigateway/stage:Stage",
    "aws:apigateway/methodSettings:MethodSettings",
    "aws:apigateway/apiKey:ApiKey",
    "aws:apigateway/usagePlan:UsagePlan",
    "aws:apigateway/usagePlanKey:UsagePlanKey",
    "aws:apigateway/basePathMapping:BasePathMapping",
    "aws:wafv2/webAcl:WebAcl",
    "aws:wafv2/webAclAssociation:WebAclAssociation",
)
#: Every method a browser's script sends but the preflight's.
SCRIPT_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")


@pytest.fixture(scope="module")
def open_http() -> Deployment:
    """Dev as an HTTP API: its stack file opens it (authMode none), and no CORS."""
    return run_program("dev", {"apiType": "http"})


@pytest.fixture(scope="module")
def iam_http() -> Deployment:
    return run_program("dev", {"apiType": "http", "authMode": "iam"})


@pytest.fixture(scope="module")
def proxy_http() -> Deployment:
    return run_program("orders", {"apiType": "http", "authMode": "iam", "routes": "proxy"})


@pytest.fixture(params=["open_http", "iam_http", "proxy_http", "everything_http"])
def http_stack(request: pytest.FixtureRequest) -> Deployment:
    return request.getfixturevalue(request.param)


def routes_of(stack: Deployment) -> dict[str, Registered]:
    """Each route of the HTTP API, by its key (``GET /LambdaTable/items/{Id}``)."""
    return {route.inputs["routeKey"]: route for route in stack.of_type(ROUTE)}


def served(stack: Deployment) -> set[tuple[str, str]]:
    """What the stack's settings serve beside ``POST /DynamoDBManager``: (method, path)."""
    settings = settings_from(project_values(stack.config, PROJECT))
    operations = Registry(settings.operation_packages, settings.plugins).all()
    return {(route.method, route.path) for route in openapi.served_routes(operations, settings)}


def execution_arn(stack: Deployment) -> str:
    return str(stack.one(API).state["executionArn"])


def test_an_http_stack_creates_an_http_api_and_no_rest_api(http_stack):
    api = http_stack.one(API)

    assert api.inputs["protocolType"] == "HTTP"
    assert api.inputs["name"] == f"DynamoDBOperations-{http_stack.stack}"
    for token in REST_ONLY:
        assert not http_stack.of_type(token), token


def test_one_lambda_proxy_integration_sends_payload_format_2_and_stops_before_30_s(http_stack):
    integration = http_stack.one(INTEGRATION).inputs

    assert integration["integrationType"] == "AWS_PROXY"
    assert integration["payloadFormatVersion"] == "2.0"
    assert integration["integrationUri"] == called_by_api_gateway(http_stack).state["invokeArn"]
    assert integration["apiId"] == http_stack.one(API).id
    # API Gateway's 30 s at most; the function's own timeout (under 29 s) ends first.
    assert 28_000 < integration["timeoutMilliseconds"] < 30_000


def test_every_route_reaches_the_integration(http_stack):
    target = f"integrations/{http_stack.one(INTEGRATION).id}"

    for key, route in routes_of(http_stack).items():
        assert route.inputs["target"] == target, key
        assert route.inputs["apiId"] == http_stack.one(API).id, key


def test_every_served_route_is_a_route_and_every_path_takes_the_other_methods(open_http):
    """The other methods reach the function, which answers 405 naming those a path takes."""
    keys = set(routes_of(open_http))
    routes = served(open_http)

    assert routes
    assert "POST /DynamoDBManager" in keys
    assert {f"{method} {path}" for method, path in routes} <= keys
    assert {"GET /LambdaTable/items/{Id}", "DELETE /LambdaTable/items/{Id}"} <= keys
    assert {f"ANY {path}" for _, path in routes} <= keys
    assert keys == {
        "POST /DynamoDBManager",
        *(f"{method} {path}" for method, path in routes),
        *(f"ANY {path}" for _, path in routes),
    }


def test_with_cors_no_route_takes_the_preflight_so_api_gateway_answers_it(everything_http):
    """An ANY route would take OPTIONS, and its JWT authorizer refuse a browser's preflight."""
    keys = set(routes_of(everything_http))
    paths = {path for _, path in served(everything_http)}
    cors = everything_http.one(API).inputs["corsConfiguration"]

    assert paths
    assert not any(key.startswith(("OPTIONS ", "ANY ")) for key in keys)
    for path in paths:
        assert {f"{method} {path}" for method in SCRIPT_METHODS} <= keys, path
    assert cors["allowOrigins"] == ["https://app.example.com"]
    assert set(cors["allowMethods"]) >= {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
    assert {"Content-Type", "Authorization", "Idempotency-Key"} <= set(cors["allowHeaders"])
    # API Gateway drops the function's CORS headers: it must expose what the function does.
    assert set(cors["exposeHeaders"]) == {"Location", "Idempotent-Replayed"}


def test_routes_proxy_is_the_catch_all_beside_post_dynamodbmanager(proxy_http):
    assert set(routes_of(proxy_http)) == {"POST /DynamoDBManager", "ANY /{proxy+}"}


def test_routes_proxy_with_cors_leaves_the_preflight_to_api_gateway():
    deployment = run_program(
        "dev",
        {"apiType": "http", "routes": "proxy", "corsAllowOrigin": "https://app.example.com"},
    )

    assert set(routes_of(deployment)) == {
        "POST /DynamoDBManager",
        *(f"{method} /{{proxy+}}" for method in SCRIPT_METHODS),
    }


def test_the_default_stage_deploys_itself_throttled_as_the_stack_says(http_stack):
    settings = settings_from(project_values(http_stack.config, PROJECT))
    stage = http_stack.one(STAGE).inputs

    assert stage["name"] == "$default"
    assert stage["autoDeploy"] is True
    assert stage["apiId"] == http_stack.one(API).id
    assert stage["defaultRouteSettings"] == {
        "throttlingRateLimit": settings.throttle_rate_limit,
        "throttlingBurstLimit": settings.throttle_burst_limit,
    }


def test_the_url_is_the_apis_endpoint_without_a_stage(open_http):
    endpoint = open_http.one(API).state["apiEndpoint"]

    assert open_http.outputs["url"] == f"{endpoint}/DynamoDBManager"
    assert "$default" not in open_http.outputs["url"]


def test_iam_routes_are_signed_and_jwt_routes_use_the_stacks_authorizer(
    iam_http, open_http, everything_http
):
    authorizer = everything_http.one(AUTHORIZER).inputs

    assert {r.inputs["authorizationType"] for r in iam_http.of_type(ROUTE)} == {"AWS_IAM"}
    assert {r.inputs["authorizationType"] for r in open_http.of_type(ROUTE)} == {"NONE"}
    assert not iam_http.of_type(AUTHORIZER)
    assert authorizer["authorizerType"] == "JWT"
    assert authorizer["identitySources"] == ["$request.header.Authorization"]
    assert authorizer["jwtConfiguration"] == {
        "issuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123",
        "audiences": ["4f3b2a1c9d8e7f6a5b4c3d2e1f", "mobile-app"],
    }
    for route in everything_http.of_type(ROUTE):
        assert route.inputs["authorizationType"] == "JWT"
        assert route.inputs["authorizerId"] == everything_http.one(AUTHORIZER).id


def test_an_http_stack_without_an_auth_mode_line_is_signed_with_iam(tmp_path):
    write_stack_file(tmp_path, "shop", {"aws:region": "eu-west-1", f"{PROJECT}:apiType": "http"})

    deployment = run_program("shop", project_dir=tmp_path)

    assert {r.inputs["authorizationType"] for r in deployment.of_type(ROUTE)} == {"AWS_IAM"}


@pytest.mark.parametrize("name", ["open_http", "iam_http", "everything_http"])
def test_api_gateway_may_invoke_the_function_on_every_route_and_nothing_else(name, request):
    """As API Gateway names a call on the ``$default`` stage: ``{api}/$default/GET/...``."""
    stack: Deployment = request.getfixturevalue(name)
    api = execution_arn(stack)

    for key in routes_of(stack):
        method, path = key.split(" ")
        for sent_method in EVERY_METHOD if method == "ANY" else [method]:
            for sent in (path, concrete(path)):
                arn = f"{api}/$default/{sent_method}{sent}"
                assert allowed(stack, arn), f"{name}: API Gateway may not call {arn}"
    other_api = api.replace(api.rsplit(":", 1)[1], "zzzzzzzzzz")
    assert not allowed(stack, f"{other_api}/$default/POST/DynamoDBManager")
    assert not allowed(stack, f"{api}/$default/GET/DynamoDBManager")
    assert not allowed(stack, f"{api}/$default/GET/Elsewhere/items")


def test_with_routes_proxy_api_gateway_may_invoke_the_function_on_any_path(proxy_http):
    """The function routes, and answers 404 to a path it does not serve."""
    api = execution_arn(proxy_http)

    for arn in (
        f"{api}/$default/POST/DynamoDBManager",
        f"{api}/$default/GET/Orders/items/c%2F1",
        f"{api}/$default/DELETE/Elsewhere/items/7",
        f"{api}/$default/GET/{{proxy+}}",
    ):
        assert allowed(proxy_http, arn), arn
    assert not allowed(proxy_http, f"{api.replace(api[-10:], 'zzzzzzzzzz')}/$default/GET/x/y")


def test_routes_wait_for_the_permissions_as_the_stage_deploys_them_at_once(everything_http):
    """Else a new route, or the integration moved to the alias, answers 500 meanwhile."""
    permissions = {p.urn for p in everything_http.of_type("aws:lambda/permission:Permission")}

    assert permissions
    assert permissions <= set(everything_http.one(INTEGRATION).dependencies)
    for route in everything_http.of_type(ROUTE):
        assert permissions <= set(route.dependencies), route.name


def test_the_access_log_is_json_with_the_http_apis_variables(everything_http):
    stage = everything_http.one(STAGE).inputs
    log_group = everything_http.one("aws:cloudwatch/logGroup:LogGroup", "-access-logs")
    fields = json.loads(stage["accessLogSettings"]["format"])

    assert stage["accessLogSettings"]["destinationArn"] == log_group.state["arn"]
    assert fields["requestId"] == "$context.requestId"
    assert fields["routeKey"] == "$context.routeKey"
    assert fields["status"] == "$context.status"
    # REST-only variables would log as "-": none is used.
    assert not {"$context.resourcePath", "$context.identity.apiKeyId"} & set(fields.values())
    # An HTTP API needs no logging role; a stack that manages the account's keeps managing it.
    assert everything_http.one("aws:apigateway/account:Account")


def test_the_custom_domain_maps_the_default_stage_and_becomes_the_url(everything_http):
    mapping = everything_http.one(API_MAPPING).inputs
    domain = everything_http.one("aws:apigateway/domainName:DomainName")

    assert mapping["apiId"] == everything_http.one(API).id
    assert mapping["stage"] == "$default"
    assert mapping["domainName"] == domain.state["domainName"] == "api.example.com"
    assert "apiMappingKey" not in mapping
    assert domain.inputs["securityPolicy"] == "TLS_1_2"
    assert everything_http.outputs["url"] == "https://api.example.com/DynamoDBManager"
    assert everything_http.outputs["domainTarget"] == domain.state["regionalDomainName"]


def alarm(stack: Deployment, key: str) -> dict[str, Any]:
    name = f"{PROJECT}-{stack.stack}-{key}"
    return next(a.inputs for a in stack.of_type(ALARM) if a.inputs["name"] == name)


def test_the_api_alarms_read_the_http_apis_metrics(everything_http):
    api = {"ApiId": everything_http.one(API).id, "Stage": "$default"}
    errors = alarm(everything_http, "api-5xx-rate")
    latency = alarm(everything_http, "api-latency-p99")
    queries = {query["id"]: query for query in errors["metricQueries"]}

    assert (latency["namespace"], latency["metricName"]) == ("AWS/ApiGateway", "Latency")
    assert latency["dimensions"] == api
    assert {
        query["metric"]["metricName"]: query["metric"]["dimensions"]
        for query in queries.values()
        if "metric" in query
    } == {"5xx": api, "Count": api}
    assert {query["metric"]["stat"] for query in queries.values() if "metric" in query} == {"Sum"}
    [watched] = [query for query in queries.values() if query.get("returnData")]
    assert watched["expression"] == "errors / requests"
    assert errors["threshold"] == 0.05


def test_the_dashboard_graphs_the_http_apis_metrics(everything_http):
    body = json.loads(everything_http.one(DASHBOARD).inputs["dashboardBody"])
    rows = [
        row
        for widget in body["widgets"]
        if widget["type"] == "metric"
        for row in widget["properties"]["metrics"]
        if row[0] == "AWS/ApiGateway"
    ]
    api_id = everything_http.one(API).id

    assert {row[1] for row in rows} == {"Count", "4xx", "5xx", "Latency", "IntegrationLatency"}
    assert {tuple(row[2:6]) for row in rows} == {("ApiId", api_id, "Stage", "$default")}


def test_the_openapi_output_is_served_at_the_endpoint_and_says_how_to_authorize(
    everything_http, iam_http
):
    exported = json.loads(everything_http.outputs["openapi"])
    signed = json.loads(iam_http.outputs["openapi"])

    validate(exported)
    assert exported["servers"] == [{"url": "https://api.example.com"}]
    assert exported["components"]["securitySchemes"] == {
        "jwt": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": exported["components"]["securitySchemes"]["jwt"]["description"],
        }
    }
    assert exported["paths"]["/DynamoDBManager"]["post"]["security"] == [{"jwt": []}]
    assert signed["servers"] == [{"url": iam_http.one(API).state["apiEndpoint"]}]
    assert signed["components"]["securitySchemes"]["sigv4"]["x-amazon-apigateway-authtype"] == (
        "awsSigv4"
    )


def test_an_http_apis_document_names_its_endpoint_without_a_stage():
    settings = settings_from({"apiType": "http", "stageName": "dev"})

    [server] = openapi.stack_document(settings)["servers"]

    assert server["url"] == "https://{apiId}.execute-api.{region}.amazonaws.com"
    assert "stage" not in server["variables"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"waf": True}, r"config waf needs apiType rest"),
        ({"authMode": "apiKey"}, r"config authMode apiKey needs apiType rest"),
        ({"apiKeyQuotaPerDay": 1000}, r"config apiKeyQuotaPerDay needs apiType rest"),
        ({"authMode": "jwt", "jwtAudience": ["app"]}, r"config authMode needs jwtIssuer"),
        (
            {"authMode": "jwt", "jwtIssuer": "https://issuer.example.com"},
            r"config authMode needs jwtAudience",
        ),
        ({"jwtIssuer": "http://issuer.example.com"}, r"config jwtIssuer must be an https URL"),
        (
            {"authMode": "jwt", "jwtIssuer": "https://i.example.com", "jwtAudience": ["a", ""]},
            r"config jwtAudience must name each audience",
        ),
    ],
)
def test_what_an_http_api_cannot_honour_is_refused_naming_the_setting(overrides, message):
    with pytest.raises(SettingsError, match=message):
        run_program("dev", {"apiType": "http", **overrides})


def test_a_jwt_authorizer_on_a_rest_api_is_refused():
    with pytest.raises(SettingsError, match=r"config authMode jwt needs apiType http"):
        run_program(
            "dev",
            {"authMode": "jwt", "jwtIssuer": "https://issuer.example.com", "jwtAudience": ["a"]},
        )


def test_more_routes_than_an_http_apis_quota_are_deployed_with_a_warning(caplog):
    """300 routes per API, a quota AWS raises on request: warned of, not refused."""
    tables = {f"Table{n:02d}": {"hashKey": "pk"} for n in range(45)}

    with caplog.at_level(logging.WARNING):
        deployment = run_program(
            "dev",
            {"apiType": "http", "tables": json.dumps({"LambdaTable": {"hashKey": "Id"}, **tables})},
        )

    assert len(deployment.of_type(ROUTE)) > 300
    assert any("routes per API" in record.getMessage() for record in caplog.records)


def test_the_everything_http_stack_has_every_part_an_http_api_takes(everything_http):
    types = {resource.type for resource in everything_http.resources}

    assert everything_http.stack == EVERYTHING_HTTP
    assert {API, INTEGRATION, ROUTE, STAGE, AUTHORIZER, API_MAPPING} <= types
    assert {
        "aws:lambda/alias:Alias",
        "aws:acm/certificate:Certificate",
        "aws:route53/record:Record",
        "aws:cloudwatch/dashboard:Dashboard",
        "aws:sns/topicSubscription:TopicSubscription",
    } <= types


def test_a_route_key_api_gateway_would_refuse_fails_the_constraint_check(everything_http):
    route = next(iter(routes_of(everything_http).values()))
    greedy_first = dataclasses.replace(
        route, state={**route.state, "routeKey": "GET /{proxy+}/items"}
    )

    [violation] = check_resource(greedy_first, everything_http)

    assert violation.property == "routeKey"
    assert "greedy variable ({proxy+}) only at its end" in violation.rule
    assert "http-api-develop-routes" in violation.rule


def test_a_length_apigatewayv2s_model_gives_only_in_a_shapes_name_is_checked(everything_http):
    """``CreateApi.Name`` is a ``StringWithLengthBetween1And128``, with no ``max`` of its own."""
    api = everything_http.one(API)
    long_named = dataclasses.replace(api, state={**api.state, "name": "a" * 129})

    [violation] = check_resource(long_named, everything_http)

    assert violation.member == "apigatewayv2.CreateApi.Name"
    assert violation.rule == "at most 128 characters (this is 129)"
