"""The REST API (API Gateway's first version) in front of the function: ``apiType: rest``.

* The REST API is defined by its OpenAPI document (:mod:`infra.openapi`, from
  the registry), as SAM's ``DefinitionBody`` does: the proxy integration, the
  request model and validator, API keys or IAM, CORS. Removing a part removes
  it in the same update, which a REST API built part by part cannot promise
  (pulumi-aws#3289);
* the deployment is replaced whenever the document changes (its ``triggers``
  hash it), and the stage moves to it, once API Gateway may invoke the function
  on every route;
* the stage throttles, counts and logs; the API key's usage plan, the web ACL
  and the custom domain's base path mapping follow the stack's settings;
* the URL is the stage's invoke URL (which ends with the stage name) plus the
  resource path, so the stage appears once.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pulumi
import pulumi_aws as aws

from infra import openapi
from infra.domain import custom_domain
from infra.firewall import web_acl
from infra.gateway import Backend, Front, api_name
from infra.gateway_document import api_gateway_document

#: One JSON object per request: who called, what, the answer, and how long each part took.
ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "extendedRequestId": "$context.extendedRequestId",
    "requestTime": "$context.requestTime",
    "ip": "$context.identity.sourceIp",
    "caller": "$context.identity.caller",
    "user": "$context.identity.user",
    "userArn": "$context.identity.userArn",
    "apiKeyId": "$context.identity.apiKeyId",
    "userAgent": "$context.identity.userAgent",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "protocol": "$context.protocol",
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationStatus": "$context.integration.status",
    "integrationLatency": "$context.integrationLatency",
    "errorType": "$context.error.responseType",
    "errorMessage": "$context.error.message",
    "validationError": "$context.error.validationErrorString",
}


def rest_gateway(backend: Backend) -> Front:
    """The REST API, its stage and what protects it, in front of ``backend``'s function."""
    name, settings = backend.name, backend.settings
    body = backend.invoke_arn.apply(
        lambda uri: openapi.dumps(api_gateway_document(backend.operations, settings, uri))
    )
    # Not "-rest-api", the API version 1 built part by part: importing the document over
    # it would leave Pulumi deleting its old parts (by name and id) from the new one.
    rest_api = aws.apigateway.RestApi(
        f"{name}-api",
        name=api_name(pulumi.get_stack()),
        description=f"DynamoDB operations over HTTPS (POST /DynamoDBManager), stack "
        f"{pulumi.get_stack()}",
        body=body,
        # Each update replaces the whole definition, so a part the document lost is gone.
        put_rest_api_mode="overwrite",
        endpoint_configuration={"types": "REGIONAL"},
        opts=backend.child(),
    )
    permissions = backend.permissions(rest_api.execution_arn)
    stage = _stage(backend, rest_api, body, permissions)
    base_url: pulumi.Output[str] = stage.invoke_url
    domain_target = None
    if settings.domain_name:
        domain = custom_domain(name, settings, rest_api, stage, backend.child())
        base_url, domain_target = domain.base_url, domain.target
    if settings.waf:
        web_acl(name, backend.stack_name, settings.waf_rate_limit, stage, backend.child())
    return Front(
        base_url=base_url,
        api_type="rest",
        api=rest_api.name,
        stage_name=stage.stage_name,
        domain_target=domain_target,
        api_key=_api_key(backend, rest_api, stage) if settings.auth_mode == "apiKey" else None,
    )


def _stage(
    backend: Backend,
    rest_api: aws.apigateway.RestApi,
    body: pulumi.Output[str],
    permissions: list[aws.lambda_.Permission],
) -> aws.apigateway.Stage:
    """The stage, on a deployment replaced whenever the API's document changes.

    The deployment waits for API Gateway's permissions to invoke the function
    (or the alias a ``versions`` toggle moves it to), so the stage never serves
    a route it may not call: that would be a 500 to every caller meanwhile.
    """
    settings, name = backend.settings, backend.name
    deployment = aws.apigateway.Deployment(
        f"{name}-deployment",
        rest_api=rest_api.id,
        description="Replaced whenever the API's OpenAPI document changes",
        triggers={
            "redeployment": body.apply(lambda text: hashlib.sha256(text.encode()).hexdigest())
        },
        opts=backend.child(depends_on=[rest_api, *permissions]),
    )
    stage = aws.apigateway.Stage(
        f"{name}-stage",
        rest_api=rest_api.id,
        deployment=deployment.id,
        stage_name=settings.stage_name,
        xray_tracing_enabled=settings.tracing,
        **_access_logs(backend),
    )
    aws.apigateway.MethodSettings(
        f"{name}-method-settings",
        rest_api=rest_api.id,
        stage_name=stage.stage_name,
        method_path="*/*",
        settings={
            "metrics_enabled": True,
            "throttling_rate_limit": settings.throttle_rate_limit,
            "throttling_burst_limit": settings.throttle_burst_limit,
        },
        opts=backend.child(),
    )
    return stage


def _access_logs(backend: Backend) -> dict[str, Any]:
    """The stage's JSON access log, where the stack turns it on, and what it needs first.

    API Gateway writes a REST API's access logs only with a CloudWatch role set for the
    whole account and region; ``apiGatewayLoggingRole: manage`` sets one.
    """
    settings = backend.settings
    if not settings.access_logs:
        return {"opts": backend.child()}
    log_group = backend.access_log_group()
    needs: list[pulumi.Resource] = [log_group]
    if settings.api_gateway_logging_role == "manage":
        needs.append(backend.api_gateway_logging_role())
    return {
        "access_log_settings": {
            "destination_arn": log_group.arn,
            "format": json.dumps(ACCESS_LOG_FORMAT, separators=(",", ":")),
        },
        "opts": backend.child(depends_on=needs),
    }


def _api_key(
    backend: Backend, rest_api: aws.apigateway.RestApi, stage: aws.apigateway.Stage
) -> pulumi.Output[str]:
    settings, name = backend.settings, backend.name
    key = aws.apigateway.ApiKey(
        f"{name}-api-key",
        description="The key callers send as x-api-key",
        enabled=True,
        opts=backend.child(),
    )
    plan = aws.apigateway.UsagePlan(
        f"{name}-usage-plan",
        description="Throttle and daily quota of the API key",
        api_stages=[{"api_id": rest_api.id, "stage": stage.stage_name}],
        throttle_settings={
            "rate_limit": settings.throttle_rate_limit,
            "burst_limit": settings.throttle_burst_limit,
        },
        quota_settings={"limit": settings.api_key_quota_per_day, "period": "DAY"},
        opts=backend.child(),
    )
    aws.apigateway.UsagePlanKey(
        f"{name}-usage-plan-key",
        key_id=key.id,
        key_type="API_KEY",
        usage_plan_id=plan.id,
        opts=backend.child(),
    )
    return pulumi.Output.secret(key.value)
