"""The Pulumi program run per stack under mocks: what `pulumi up` would create, and its wiring."""

from __future__ import annotations

import hashlib
import json
import textwrap
from urllib.parse import urlparse

import fastjsonschema
import pytest
from openapi_spec_validator import validate

from function import envelope, idempotency
from function.registry import DuplicateOperationError, Registry
from function.validation import DRAFT_04
from infra.api import DynamoDBOperationsApi
from infra.settings import SettingsError, stack_settings, stacks
from tests.conftest import EVENTS
from tests.infra.conftest import SESSION_RUNS, Deployment, Registered, deployment_of, run_program
from tests.installed import plugin_packages, served_registry

TABLE = "aws:dynamodb/table:Table"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
FUNCTION = "aws:lambda/function:Function"
PERMISSION = "aws:lambda/permission:Permission"
ALIAS = "aws:lambda/alias:Alias"
#: The function's own log group and role, by name (prod has API Gateway's too).
FUNCTION_LOGS = "operations-logs"
FUNCTION_ROLE = "operations-role"
REST_API = "aws:apigateway/restApi:RestApi"
DEPLOYMENT = "aws:apigateway/deployment:Deployment"
STAGE = "aws:apigateway/stage:Stage"
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
API_KEY = "aws:apigateway/apiKey:ApiKey"
USAGE_PLAN = "aws:apigateway/usagePlan:UsagePlan"
USAGE_PLAN_KEY = "aws:apigateway/usagePlanKey:UsagePlanKey"
COMPONENT = "dynamodb-operations:api:DynamoDBOperationsApi"

TABLE_INFO_MODULE = textwrap.dedent(
    '''
    """table_info: how many items the table holds, as DynamoDB last counted."""
    from function.registry import operation


    @operation("table-info", actions=["dynamodb:DescribeTable"])
    def table_info(call):
        """The table's item count (DescribeTable)."""
        table = call.dynamodb.describe_table(TableName=call.table)["Table"]
        return {"ItemCount": table["ItemCount"]}
    '''
)


def policy_of(deployment: Deployment) -> dict:
    return json.loads(deployment.one(ROLE_POLICY).inputs["policy"])


def grants(deployment: Deployment) -> set[tuple[str, str]]:
    """Every (action, resource) pair the function's role is allowed."""
    pairs = set()
    for statement in policy_of(deployment)["Statement"]:
        assert statement["Effect"] == "Allow"
        actions, resources = statement["Action"], statement["Resource"]
        for action in [actions] if isinstance(actions, str) else actions:
            for resource in [resources] if isinstance(resources, str) else resources:
                pairs.add((action, resource))
    return pairs


def table_arns(deployment: Deployment) -> dict[str, str]:
    """Each logical table the function serves, and its table's ARN."""
    physical = json.loads(deployment.one(FUNCTION).inputs["environment"]["variables"]["TABLES"])
    arns = {table.state["name"]: table.state["arn"] for table in deployment.of_type(TABLE)}
    return {name: arns[physical_name] for name, physical_name in physical.items()}


def api_document(deployment: Deployment) -> dict:
    """The OpenAPI document the REST API is defined by (its ``body``)."""
    return json.loads(deployment.one(REST_API).inputs["body"])


def post_method(deployment: Deployment) -> dict:
    return api_document(deployment)["paths"]["/DynamoDBManager"]["post"]


def model_schema(deployment: Deployment) -> dict:
    """API Gateway's request model, as a draft-04 schema."""
    schemas = api_document(deployment)["components"]["schemas"]
    return {"$schema": DRAFT_04, **schemas["DynamoDBOperationsRequest"]}


def triggers(deployment: Deployment) -> dict:
    return deployment.one(DEPLOYMENT).inputs["triggers"]


def test_each_stack_gets_an_on_demand_table_with_its_key_and_protection(stack):
    settings = stack_settings(stack.stack)
    table = stack.one(TABLE, "-table").inputs

    assert table["billingMode"] == "PAY_PER_REQUEST"
    assert "readCapacity" not in table
    assert "writeCapacity" not in table
    assert table["hashKey"] == "Id"
    assert table["attributes"] == [{"name": "Id", "type": "S"}]
    assert table["pointInTimeRecovery"] == {"enabled": settings.point_in_time_recovery}
    assert table["deletionProtectionEnabled"] is settings.deletion_protection


def test_prod_protects_and_backs_up_its_table_and_dev_does_not(dev, prod):
    assert dev.one(TABLE, "-table").inputs["pointInTimeRecovery"] == {"enabled": False}
    assert dev.one(TABLE, "-table").inputs["deletionProtectionEnabled"] is False
    assert prod.one(TABLE, "-table").inputs["pointInTimeRecovery"] == {"enabled": True}
    assert prod.one(TABLE, "-table").inputs["deletionProtectionEnabled"] is True


def test_the_function_runs_the_handler_and_logs_json_to_its_own_log_group(stack):
    settings = stack_settings(stack.stack)
    function = stack.one(FUNCTION)
    log_group = stack.one(LOG_GROUP, FUNCTION_LOGS)

    assert function.inputs["handler"] == "function.handler.handler"
    assert function.inputs["runtime"] == "python3.13"
    assert function.inputs["architectures"] == ["arm64"]
    assert function.inputs["timeout"] == settings.timeout < 29
    assert function.inputs["memorySize"] == settings.memory_size
    assert function.inputs["role"] == stack.one(ROLE, FUNCTION_ROLE).state["arn"]
    assert function.inputs["loggingConfig"] == {
        "logFormat": "JSON",
        "logGroup": log_group.state["name"],
    }
    assert log_group.inputs["retentionInDays"] == settings.log_retention_days
    assert function.inputs["tracingConfig"] == {
        "mode": "Active" if settings.tracing else "PassThrough"
    }


def test_the_function_waits_for_its_log_group_and_permissions_before_its_first_call(stack):
    function = stack.one(FUNCTION)

    assert stack.one(LOG_GROUP, FUNCTION_LOGS).urn in function.dependencies
    assert stack.one(ROLE_POLICY).urn in function.dependencies


def archived_packages(deployment: Deployment) -> list[str]:
    """The operation packages the archive tells the function to serve (its generated list)."""
    listed = deployment.one(FUNCTION).inputs["code"].assets["function/operation_packages.json"]
    return json.loads(listed.text)


def test_the_function_serves_the_stacks_tables_under_their_logical_names(stack):
    variables = stack.one(FUNCTION).inputs["environment"]["variables"]
    deployed = {
        t.state["name"] for t in stack.of_type(TABLE) if not t.name.endswith("-idempotency")
    }

    served = json.loads(variables["TABLES"])
    assert set(served) == set(stack_settings(stack.stack).tables)
    assert set(served.values()) == deployed
    assert served["LambdaTable"] == stack.one(TABLE, "-table").state["name"]
    assert "OPERATION_PACKAGES" not in variables
    assert archived_packages(stack) == ["operations", *plugin_packages()]
    assert "CORS_ALLOW_ORIGIN" not in variables


def test_each_stack_logs_to_a_log_group_of_its_own(dev, prod):
    assert (
        dev.one(LOG_GROUP, FUNCTION_LOGS).state["name"]
        != prod.one(LOG_GROUP, FUNCTION_LOGS).state["name"]
    )
    assert prod.one(LOG_GROUP, FUNCTION_LOGS).inputs["retentionInDays"] == 90
    assert dev.one(LOG_GROUP, FUNCTION_LOGS).inputs["retentionInDays"] == 14


def test_only_lambda_may_assume_the_role_and_it_has_no_managed_policy(stack):
    role = stack.one(ROLE, FUNCTION_ROLE).inputs

    assert json.loads(role["assumeRolePolicy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    assert not role.get("managedPolicyArns")
    assert stack.one(ROLE_POLICY).inputs["role"] == stack.one(ROLE, FUNCTION_ROLE).state["name"]
    function_role = stack.one(ROLE, FUNCTION_ROLE).state["name"]
    assert not [
        r
        for r in stack.resources
        if r.type.startswith("aws:iam/")
        and "Attachment" in r.type
        and r.inputs["role"] == function_role
    ]


def test_the_policy_grants_exactly_what_the_registered_operations_declare(stack):
    """Per table, the actions of the operations that run there (and on its indexes), and
    the function's own needs."""
    settings = stack_settings(stack.stack)
    operations = Registry(settings.operation_packages).all().values()
    assert operations
    log_group_arn = stack.one(LOG_GROUP, FUNCTION_LOGS).state["arn"]
    expected = set()
    for table, arn in table_arns(stack).items():
        indexes = settings.tables[table].index_names
        for op in operations:
            if op.needs_table and op.serves(table, indexes):
                expected |= {(action, arn) for action in op.actions}
                expected |= {
                    (action, f"{arn}/index/{index}")
                    for action in op.index_actions
                    for index in op.indexes or indexes
                }
    expected |= {
        ("logs:CreateLogStream", f"{log_group_arn}:*"),
        ("logs:PutLogEvents", f"{log_group_arn}:*"),
    }
    records_arn = stack.one(TABLE, "-idempotency").state["arn"]
    expected |= {(action, records_arn) for action in idempotency.ACTIONS}
    if settings.tracing:
        expected |= {("xray:PutTraceSegments", "*"), ("xray:PutTelemetryRecords", "*")}

    assert grants(stack) == expected


def test_no_wildcard_action_and_no_wildcard_resource_except_x_ray(stack):
    for action, resource in grants(stack):
        assert "*" not in action
        if resource == "*":
            assert action.startswith("xray:")


def test_x_ray_is_granted_only_where_tracing_is_on(dev, prod):
    assert not [action for action, _ in grants(dev) if action.startswith("xray:")]
    assert [action for action, _ in grants(prod) if action.startswith("xray:")]


def test_the_rest_api_is_defined_by_a_valid_openapi_3_document(stack):
    api = stack.one(REST_API)
    document = api_document(stack)

    validate(document)
    assert document["openapi"] == "3.0.3"
    # The stack in the name: dev and prod in one account are told apart in the console.
    assert api.inputs["name"] == f"DynamoDBOperations-{stack.stack}"
    assert api.inputs["endpointConfiguration"]["types"] == "REGIONAL"
    # The tutorial's resource first, then the tables' routes (tests/infra/test_table_routes.py).
    assert next(iter(document["paths"])) == "/DynamoDBManager"
    assert {"/LambdaTable/items", "/LambdaTable/items/{Id}"} <= set(document["paths"])
    assert not stack.of_type("aws:apigateway/method:Method")
    assert not stack.of_type("aws:apigateway/integration:Integration")


#: What API Gateway's models cannot hold (its OpenAPI import's known limits).
UNSUPPORTED_IN_MODELS = {"oneOf", "anyOf", "discriminator", "example", "examples", "nullable"}


def keywords(schema: object) -> set[str]:
    """Every key used anywhere in a JSON value."""
    if isinstance(schema, dict):
        return set(schema).union(*(keywords(value) for value in schema.values()))
    if isinstance(schema, list):
        return set().union(*(keywords(value) for value in schema))
    return set()


def test_upgrading_from_the_api_built_part_by_part_makes_a_new_one(stack):
    """Version 1's REST API was ``-rest-api`` with its parts as resources of their own.

    Importing the document over it would leave Pulumi deleting those parts, at the
    end of the update, from the API the document had just defined. A new API (a new
    URN, so a new id and URL) lets Pulumi delete the old one whole instead.
    """
    assert stack.one(REST_API).name == "dynamodb-operations-api"
    assert not [r for r in stack.resources if r.name == "dynamodb-operations-rest-api"]
    assert not [r for r in stack.resources if r.type.startswith("aws:apigateway/model:")]


def test_the_document_asks_api_gateway_for_nothing_its_import_drops(stack):
    document = api_document(stack)
    schemas = document["components"]["schemas"]

    assert stack.one(REST_API).inputs["putRestApiMode"] == "overwrite"
    assert all(name.isalnum() for name in schemas)
    assert not keywords(schemas) & UNSUPPORTED_IN_MODELS
    assert "servers" not in document
    assert "examples" not in keywords(document["paths"])


def called_by_api_gateway(deployment: Deployment) -> Registered:
    """What the integration invokes: the alias ``live`` where versions are published."""
    aliases = deployment.of_type(ALIAS)
    return aliases[0] if aliases else deployment.one(FUNCTION)


def test_post_dynamodbmanager_is_a_lambda_proxy_to_the_function(stack):
    assert post_method(stack)["x-amazon-apigateway-integration"] == {
        "type": "aws_proxy",
        "httpMethod": "POST",
        "uri": called_by_api_gateway(stack).state["invokeArn"],
        "passthroughBehavior": "when_no_match",
    }


def test_prod_serves_a_published_version_through_the_alias_live_and_dev_its_latest(dev, prod):
    function = prod.one(FUNCTION)
    live = prod.one(ALIAS)

    assert function.inputs["publish"] is True
    assert live.inputs["name"] == "live"
    assert live.inputs["functionName"] == function.state["name"]
    assert live.inputs["functionVersion"] == function.state["version"] != "$LATEST"
    assert {permission.inputs["qualifier"] for permission in prod.of_type(PERMISSION)} == {"live"}
    assert post_method(prod)["x-amazon-apigateway-integration"]["uri"].endswith(
        f":function:{function.state['name']}:live/invocations"
    )
    assert dev.one(FUNCTION).inputs.get("publish") is not True
    assert not dev.of_type(ALIAS)
    assert not [
        permission for permission in dev.of_type(PERMISSION) if "qualifier" in permission.inputs
    ]


def test_api_gateway_validates_bodies_against_the_registered_operations(stack):
    document = api_document(stack)
    post = post_method(stack)

    assert model_schema(stack) == {
        "$schema": DRAFT_04,
        **envelope.schema(served_registry(stack.stack).names),
    }
    assert post["requestBody"]["content"] == {
        "application/json": {"schema": {"$ref": "#/components/schemas/DynamoDBOperationsRequest"}}
    }
    validator = post["x-amazon-apigateway-request-validator"]
    assert document["x-amazon-apigateway-request-validators"][validator] == {
        "validateRequestBody": True,
        "validateRequestParameters": False,
    }


def test_the_model_lets_the_tutorials_requests_through_and_stops_unknown_operations(dev):
    validate = fastjsonschema.compile(model_schema(dev))

    for request in sorted(EVENTS.glob("*.json")):
        document = json.loads(request.read_text())
        if "operation" in document:  # the tutorial's request bodies, not whole events
            validate(document)
    for operation in Registry(("operations",)).all():
        validate({"operation": operation, "tableName": "LambdaTable", "payload": {}})
    for invalid in (
        {"operation": "drop"},
        {"tableName": "LambdaTable"},
        {"operation": "ping", "x": 1},
    ):
        with pytest.raises(fastjsonschema.JsonSchemaValueException):
            validate(invalid)


def test_only_this_apis_post_dynamodbmanager_may_invoke_the_function(stack):
    permission = stack.one(PERMISSION, "-permission").inputs

    assert permission["principal"] == "apigateway.amazonaws.com"
    assert permission["action"] == "lambda:InvokeFunction"
    assert permission["function"] == stack.one(FUNCTION).state["name"]
    execution_arn = stack.one(REST_API).state["executionArn"]
    assert permission["sourceArn"] == f"{execution_arn}/*/POST/DynamoDBManager"


def test_the_deployment_is_of_the_document_and_the_stage_serves_it(stack):
    settings = stack_settings(stack.stack)
    deployment = stack.one(DEPLOYMENT)
    stage = stack.one(STAGE)
    body = stack.one(REST_API).inputs["body"]

    assert stack.one(REST_API).urn in deployment.dependencies
    assert deployment.inputs["restApi"] == stack.one(REST_API).id
    assert triggers(stack) == {"redeployment": hashlib.sha256(body.encode()).hexdigest()}
    assert stage.inputs["deployment"] == deployment.id
    assert stage.inputs["restApi"] == stack.one(REST_API).id
    assert stage.inputs["stageName"] == settings.stage_name == stack.stack
    assert stage.inputs["xrayTracingEnabled"] is settings.tracing


@pytest.mark.parametrize("name", dict.fromkeys((*stacks(), *SESSION_RUNS)))
def test_the_stage_serves_only_once_api_gateway_may_invoke_what_it_calls(name, request):
    """Else a first ``up``, or a ``versions`` toggle, answers 500 until the permission exists."""
    stack = deployment_of(name, request)
    permissions = stack.of_type(PERMISSION)
    waits_for = stack.one(DEPLOYMENT).dependencies

    assert len(permissions) > 1, "POST /DynamoDBManager's and the table routes'"
    for permission in permissions:
        called = called_by_api_gateway(stack).inputs.get("name")
        assert permission.inputs.get("qualifier") == called
        assert permission.urn in waits_for, f"{name}: the deployment waits only for {waits_for}"


def test_the_stage_is_throttled_and_reports_metrics(stack):
    settings = stack_settings(stack.stack)
    method_settings = stack.one(METHOD_SETTINGS).inputs

    assert method_settings["restApi"] == stack.one(REST_API).id
    assert method_settings["stageName"] == settings.stage_name
    assert method_settings["methodPath"] == "*/*"
    assert method_settings["settings"] == {
        "metricsEnabled": True,
        "throttlingRateLimit": settings.throttle_rate_limit,
        "throttlingBurstLimit": settings.throttle_burst_limit,
    }


def test_the_url_is_the_stage_url_and_the_resource_with_the_stage_named_once(stack):
    url = urlparse(stack.outputs["url"])
    api_id = stack.one(REST_API).id

    assert stack.outputs["url"] == stack.one(STAGE).state["invokeUrl"] + "/DynamoDBManager"
    assert (url.scheme, url.netloc) == ("https", f"{api_id}.execute-api.us-east-1.amazonaws.com")
    assert url.path == f"/{stack.stack}/DynamoDBManager"
    assert url.path.split("/").count(stack.stack) == 1


def test_the_stack_exports_the_table_and_function_names(stack):
    assert stack.outputs["tableName"] == stack.one(TABLE, "-table").state["name"]
    assert stack.outputs["functionName"] == stack.one(FUNCTION).state["name"]


def test_dev_is_open_and_exports_no_key(dev):
    assert "security" not in post_method(dev)
    assert "securitySchemes" not in api_document(dev)["components"]
    assert not dev.of_type(API_KEY)
    assert not dev.of_type(USAGE_PLAN)
    assert set(dev.outputs) == {"url", "tableName", "tableNames", "functionName", "openapi"}


def test_the_stack_exports_the_apis_description_served_at_its_url(stack):
    exported = json.loads(stack.outputs["openapi"])

    validate(exported)
    assert exported["servers"] == [{"url": stack.one(STAGE).state["invokeUrl"]}]
    assert (
        exported["paths"]["/DynamoDBManager"]["post"]["requestBody"]["content"]["application/json"][
            "schema"
        ]["$ref"]
        == "#/components/schemas/DynamoDBOperationsRequest"
    )
    assert set(
        exported["components"]["schemas"]["DynamoDBOperationsRequest"]["discriminator"]["mapping"]
    ) == set(served_registry(stack.stack).names)


def test_prod_requires_an_api_key_limited_by_a_usage_plan_on_its_stage(prod):
    key = prod.one(API_KEY)
    plan = prod.one(USAGE_PLAN)
    plan_key = prod.one(USAGE_PLAN_KEY).inputs

    assert post_method(prod)["security"] == [{"api_key": []}]
    assert api_document(prod)["components"]["securitySchemes"]["api_key"] == {
        "type": "apiKey",
        "name": "x-api-key",
        "in": "header",
    }
    assert api_document(prod)["x-amazon-apigateway-api-key-source"] == "HEADER"
    assert key.inputs["enabled"] is True
    assert plan.inputs["apiStages"] == [{"apiId": prod.one(REST_API).id, "stage": "prod"}]
    assert plan.inputs["throttleSettings"] == {"rateLimit": 200, "burstLimit": 400}
    assert plan.inputs["quotaSettings"] == {"limit": 1000000, "period": "DAY"}
    assert plan_key == {"keyId": key.id, "keyType": "API_KEY", "usagePlanId": plan.id}


def test_prod_exports_its_api_key_as_a_secret(prod):
    assert prod.outputs["apiKey"] == prod.one(API_KEY).state["value"]
    assert prod.secret_outputs == {"apiKey"}


def test_iam_auth_mode_requires_signed_requests():
    deployment = run_program("dev", {"authMode": "iam"})
    document = api_document(deployment)

    assert post_method(deployment)["security"] == [{"sigv4": []}]
    assert document["components"]["securitySchemes"]["sigv4"]["x-amazon-apigateway-authtype"] == (
        "awsSigv4"
    )
    assert "x-amazon-apigateway-api-key-source" not in document
    assert not deployment.of_type(API_KEY)


def test_the_deployment_is_the_same_when_nothing_changed(dev):
    assert triggers(run_program("dev")) == triggers(dev)


def test_changing_the_method_redeploys(dev):
    assert triggers(run_program("dev", {"authMode": "iam"})) != triggers(dev)


def test_a_plugin_operation_is_granted_its_action_published_in_the_model_and_redeployed(
    dev, plugin_package
):
    package = plugin_package({"table_info": TABLE_INFO_MODULE})

    deployment = run_program("dev", {"operationPackages": ["operations", package]})

    assert grants(deployment) == grants(dev) | {
        ("dynamodb:DescribeTable", arn) for arn in table_arns(deployment).values()
    }
    assert "table-info" in model_schema(deployment)["properties"]["operation"]["enum"]
    assert triggers(deployment) != triggers(dev)
    assert archived_packages(deployment) == ["operations", package, *plugin_packages()]
    assert f"{package}/table_info.py" in deployment.one(FUNCTION).inputs["code"].assets


def test_two_operations_with_one_name_fail_the_program_with_the_registrys_message(plugin_package):
    package = plugin_package({"ping_again": TABLE_INFO_MODULE.replace('"table-info"', '"ping"')})

    with pytest.raises(DuplicateOperationError, match=r"'ping' is registered by both"):
        run_program("dev", {"operationPackages": ["operations", package]})


def test_an_invalid_setting_fails_the_program_naming_it():
    with pytest.raises(SettingsError, match="timeout"):
        run_program("dev", {"timeout": 30})


def gateway_origins(deployment: Deployment) -> dict[str, str]:
    """The CORS origin API Gateway puts on each kind of its own error answers."""
    responses = api_document(deployment).get("x-amazon-apigateway-gateway-responses", {})
    return {
        kind: response["responseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"]
        for kind, response in responses.items()
    }


def test_cors_answers_preflight_without_a_key_and_marks_errors_with_the_origin():
    deployment = run_program("prod", {"corsAllowOrigin": "https://app.example.com"})
    options = api_document(deployment)["paths"]["/DynamoDBManager"]["options"]
    integration = options["x-amazon-apigateway-integration"]

    variables = deployment.one(FUNCTION).inputs["environment"]["variables"]
    assert variables["CORS_ALLOW_ORIGIN"] == "https://app.example.com"
    assert options["security"] == []
    assert integration["type"] == "mock"
    headers = integration["responses"]["default"]["responseParameters"]
    assert headers["method.response.header.Access-Control-Allow-Origin"] == (
        "'https://app.example.com'"
    )
    assert "Idempotency-Key" in headers["method.response.header.Access-Control-Allow-Headers"]
    assert gateway_origins(deployment) == {
        "DEFAULT_4XX": "'https://app.example.com'",
        "DEFAULT_5XX": "'https://app.example.com'",
    }


def test_turning_cors_off_removes_the_preflight_and_the_origin_in_the_same_update():
    on = run_program("dev", {"corsAllowOrigin": "https://app.example.com"})
    off = run_program("dev", {"corsAllowOrigin": ""})

    assert "options" in api_document(on)["paths"]["/DynamoDBManager"]
    assert list(api_document(off)["paths"]["/DynamoDBManager"]) == ["post"]
    assert gateway_origins(off) == {}
    assert triggers(off) != triggers(on)


@pytest.mark.parametrize("origin", ["", "*", "https://app.example.com", "http://localhost:5173"])
def test_cors_origins_that_api_gateway_can_send(origin):
    """An accepted origin reaches both senders of the header: the function and API Gateway."""
    deployment = run_program("dev", {"corsAllowOrigin": origin})

    variables = deployment.one(FUNCTION).inputs["environment"]["variables"]
    sent_by_gateway = set(gateway_origins(deployment).values())
    if origin:
        assert variables["CORS_ALLOW_ORIGIN"] == origin
        assert sent_by_gateway == {f"'{origin}'"}
    else:
        assert "CORS_ALLOW_ORIGIN" not in variables
        assert sent_by_gateway == set()


def test_every_resource_belongs_to_the_component_named_for_it(stack):
    component = stack.one(COMPONENT)

    # The stack's AWS provider (tests/infra/test_operability.py) is the program's own.
    children = [r for r in stack.resources if r.custom and not r.type.startswith("pulumi:")]
    assert children
    for child in children:
        assert child.parent == component.urn
        assert child.name.startswith(f"{component.name}-")


def test_two_apis_in_one_program_do_not_collide():
    settings = stack_settings("dev")

    deployment = run_program(
        "dev",
        program=lambda: [DynamoDBOperationsApi(name, settings) for name in ("orders", "users")],
    )

    components = deployment.of_type(COMPONENT)
    assert sorted(c.name for c in components) == ["orders", "users"]
    urns = [r.urn for r in deployment.resources]
    assert len(urns) == len(set(urns))
    tables_per_api = len(settings.tables) + 1  # and the idempotency records
    for kind, per_api in ((TABLE, tables_per_api), (FUNCTION, 1), (ROLE, 1), (LOG_GROUP, 1)):
        names = [r.state["name"] for r in deployment.of_type(kind)]
        assert len(names) == len(set(names)) == 2 * per_api
    children = {c.urn: [r for r in deployment.resources if r.parent == c.urn] for c in components}
    assert sum(map(len, children.values())) == len(deployment.resources) - len(components)
    for parented in children.values():
        table = next(r for r in parented if r.type == TABLE and r.name.endswith("-table"))
        function = next(r for r in parented if r.type == FUNCTION)
        tables = json.loads(function.inputs["environment"]["variables"]["TABLES"])
        assert tables["LambdaTable"] == table.state["name"]
        assert set(tables) == set(settings.tables)


def test_idempotency_records_live_in_an_expiring_table_of_the_functions_own(stack):
    records = stack.one(TABLE, "-idempotency")
    variables = stack.one(FUNCTION).inputs["environment"]["variables"]

    assert records.inputs["billingMode"] == "PAY_PER_REQUEST"
    assert records.inputs["hashKey"] == idempotency.RECORD_KEY
    assert records.inputs["ttl"] == {"attributeName": idempotency.EXPIRES_AT, "enabled": True}
    assert variables["IDEMPOTENCY_TABLE"] == records.state["name"]
    assert records.state["name"] not in json.loads(variables["TABLES"]).values()


def test_prod_publishes_per_operation_metrics_in_a_namespace_of_its_own_and_dev_does_not(dev, prod):
    def variables(deployment: Deployment) -> dict:
        return deployment.one(FUNCTION).inputs["environment"]["variables"]

    assert variables(prod)["METRICS_NAMESPACE"] == "DynamoDBOperations/prod"
    assert "METRICS_NAMESPACE" not in variables(dev)
    turned_on = run_program("dev", {"metrics": True})
    assert variables(turned_on)["METRICS_NAMESPACE"] == "DynamoDBOperations/dev"


def test_prod_starts_its_published_versions_from_a_snapshot_and_dev_does_not(dev, prod):
    assert prod.one(FUNCTION).inputs["snapStart"] == {"applyOn": "PublishedVersions"}
    assert "snapStart" not in dev.one(FUNCTION).inputs


def test_snapstart_without_published_versions_is_refused_naming_both():
    with pytest.raises(SettingsError, match=r"snapStart.*needs versions"):
        run_program("dev", {"snapStart": True})


def test_a_stack_may_reserve_concurrency_so_one_api_cannot_starve_the_account(dev):
    reserved = run_program("dev", {"reservedConcurrency": 100})

    assert reserved.one(FUNCTION).inputs["reservedConcurrentExecutions"] == 100
    assert dev.one(FUNCTION).inputs["reservedConcurrentExecutions"] == -1
    with pytest.raises(SettingsError, match="reservedConcurrency"):
        run_program("dev", {"reservedConcurrency": 0})


def test_prod_writes_a_json_access_log_with_the_stacks_retention_and_dev_does_not(dev, prod):
    stage = prod.one(STAGE)
    access_logs = prod.one(LOG_GROUP, "access-logs")
    fields = json.loads(stage.inputs["accessLogSettings"]["format"])

    assert stage.inputs["accessLogSettings"]["destinationArn"] == access_logs.state["arn"]
    assert access_logs.inputs["retentionInDays"] == 90
    assert {"requestId", "status", "responseLatency", "caller", "ip"} <= set(fields)
    assert fields["requestId"] == "$context.requestId"
    assert all(value.startswith("$context.") for value in fields.values())
    assert "accessLogSettings" not in dev.one(STAGE).inputs


def test_prod_sets_api_gateways_logging_role_before_its_stage_logs(prod):
    account = prod.one("aws:apigateway/account:Account")
    role = prod.one(ROLE, "api-gateway-logging-role")

    assert account.inputs["cloudwatchRoleArn"] == role.state["arn"]
    assert json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "apigateway.amazonaws.com"
    }
    assert account.urn in prod.one(STAGE).dependencies


def test_the_logging_role_has_its_policy_before_api_gateway_uses_it(prod):
    role = prod.one(ROLE, "api-gateway-logging-role")
    attachment = prod.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment")

    assert "managedPolicyArns" not in role.inputs
    assert attachment.inputs == {
        "role": role.state["name"],
        "policyArn": "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
    }
    assert attachment.urn in prod.one("aws:apigateway/account:Account").dependencies


def test_a_second_stack_managing_the_logging_role_fails_on_its_name(prod):
    """The setting is one per account and region; so is the role's name, which IAM keeps unique."""
    other = run_program("dev", {"accessLogs": True, "apiGatewayLoggingRole": "manage"})

    names = {
        deployment.one(ROLE, "api-gateway-logging-role").state["name"]
        for deployment in (prod, other)
    }
    elsewhere = run_program(
        "dev", {"accessLogs": True, "apiGatewayLoggingRole": "manage", "aws:region": "eu-west-1"}
    )

    assert names == {"api-gateway-cloudwatch-logs-us-east-1"}
    assert elsewhere.one(ROLE, "api-gateway-logging-role").state["name"] == (
        "api-gateway-cloudwatch-logs-eu-west-1"
    )


def test_a_stack_relying_on_an_existing_logging_role_sets_none():
    deployment = run_program("prod", {"apiGatewayLoggingRole": "existing"})

    assert deployment.one(STAGE).inputs["accessLogSettings"]
    assert not deployment.of_type("aws:apigateway/account:Account")
    assert not [r for r in deployment.of_type(ROLE) if r.name.endswith("logging-role")]
