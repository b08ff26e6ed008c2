"""Which inputs make AWS replace a resource, by Pulumi type: a list kept by hand.

Under Pulumi's mocks no provider computes a diff, so nothing the suite runs can
tell an update from a replacement. pulumi-aws is bridged from
hashicorp/terraform-provider-aws, where an argument whose change replaces the
resource is marked ``ForceNew`` in the resource's schema, or forced by a
``customdiff.ForceNewIf...`` in its ``CustomizeDiff``. Each type below names
the file of that repository it was read from; a note gives the Terraform
argument where Pulumi names it differently, and the condition where there is
one. Arguments the program does not set are listed too, so that setting one
later is covered. The files were read at the provider's v6 line (early 2026),
the one pulumi-aws 7 bridges; a type the program starts using needs its entry
here before ``make snapshots`` will write it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

#: Where every ``source`` below is, unless it says otherwise.
PROVIDER_REPOSITORY = "github.com/hashicorp/terraform-provider-aws"


@dataclass(frozen=True)
class Replacing:
    """A type's replacing inputs (camelCase, as the program passes them) and where that is read."""

    source: str
    inputs: Mapping[str, str]
    #: Replacing inputs whose value the snapshot leaves out, with why: it changes by design.
    unrecorded: Mapping[str, str] = field(default_factory=dict)


def _force_new(source: str, *names: str, **renamed: str) -> Replacing:
    """Inputs ``source``'s schema marks ForceNew; ``renamed`` gives Terraform's name for some."""
    inputs = {name: "ForceNew" for name in names}
    inputs |= {name: f"{argument}: ForceNew" for name, argument in renamed.items()}
    return Replacing(source, inputs)


TABLE = "aws:dynamodb/table:Table"

_BY_SCHEMA: dict[str, Replacing] = {
    TABLE: Replacing(
        "internal/service/dynamodb/table.go",
        {
            "name": "ForceNew",
            "hashKey": "ForceNew",
            "rangeKey": "ForceNew",
            "localSecondaryIndexes": "local_secondary_index: ForceNew, and each of its fields",
            "restoreDateTime": "ForceNew",
            "restoreToLatestTime": "ForceNew",
            "restoreSourceName": "customdiff.ForceNewIfChange, when set to another name",
            "restoreSourceTableArn": "customdiff.ForceNewIfChange, when set to another ARN",
            "importTable": "import_table.s3_bucket_source: ForceNew",
            "warmThroughput": "customdiff.ForceNewIfChange on its units, when lowered",
        },
    ),
    "aws:lambda/function:Function": _force_new(
        "internal/service/lambda/function.go", "packageType", name="function_name"
    ),
    "aws:lambda/alias:Alias": _force_new(
        "internal/service/lambda/alias.go", "name", "functionName"
    ),
    "aws:lambda/permission:Permission": _force_new(
        "internal/service/lambda/permission.go",
        "action",
        "eventSourceToken",
        "functionUrlAuthType",
        "invokedViaFunctionUrl",
        "principal",
        "principalOrgId",
        "qualifier",
        "sourceAccount",
        "sourceArn",
        "statementId",
        "statementIdPrefix",
        function="function_name",
    ),
    "aws:iam/role:Role": _force_new("internal/service/iam/role.go", "name", "namePrefix", "path"),
    "aws:iam/rolePolicy:RolePolicy": _force_new(
        "internal/service/iam/role_policy.go", "name", "namePrefix", "role"
    ),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _force_new(
        "internal/service/iam/role_policy_attachment.go", "role", policyArn="policy_arn"
    ),
    "aws:cloudwatch/logGroup:LogGroup": _force_new(
        "internal/service/logs/group.go", "name", "namePrefix", "logGroupClass"
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": _force_new(
        "internal/service/cloudwatch/metric_alarm.go", name="alarm_name"
    ),
    "aws:cloudwatch/dashboard:Dashboard": _force_new(
        "internal/service/cloudwatch/dashboard.go", "dashboardName"
    ),
    "aws:apigateway/restApi:RestApi": _force_new("internal/service/apigateway/rest_api.go"),
    "aws:apigateway/deployment:Deployment": Replacing(
        "internal/service/apigateway/deployment.go",
        {
            "restApi": "rest_api_id: ForceNew",
            "triggers": "ForceNew",
            "variables": "ForceNew",
        },
        unrecorded={
            "triggers": "a hash of the OpenAPI document: every new document replaces the "
            "deployment, by design",
        },
    ),
    "aws:apigateway/stage:Stage": _force_new(
        "internal/service/apigateway/stage.go", "stageName", restApi="rest_api_id"
    ),
    "aws:apigateway/methodSettings:MethodSettings": _force_new(
        "internal/service/apigateway/method_settings.go",
        "stageName",
        "methodPath",
        restApi="rest_api_id",
    ),
    "aws:apigateway/account:Account": _force_new("internal/service/apigateway/account.go"),
    "aws:apigateway/apiKey:ApiKey": _force_new("internal/service/apigateway/api_key.go", "value"),
    "aws:apigateway/usagePlan:UsagePlan": _force_new("internal/service/apigateway/usage_plan.go"),
    "aws:apigateway/usagePlanKey:UsagePlanKey": _force_new(
        "internal/service/apigateway/usage_plan_key.go", "keyId", "keyType", "usagePlanId"
    ),
    "aws:apigateway/domainName:DomainName": _force_new(
        "internal/service/apigateway/domain_name.go",
        "domainName",
        "certificateBody",
        "certificateChain",
        "certificatePrivateKey",
    ),
    "aws:apigateway/basePathMapping:BasePathMapping": _force_new(
        "internal/service/apigateway/base_path_mapping.go", "domainName"
    ),
    "aws:apigatewayv2/api:Api": _force_new(
        "internal/service/apigatewayv2/api.go",
        "credentialsArn",
        "protocolType",
        "routeKey",
        "target",
    ),
    "aws:apigatewayv2/integration:Integration": _force_new(
        "internal/service/apigatewayv2/integration.go",
        "integrationSubtype",
        "integrationType",
        apiId="api_id",
    ),
    "aws:apigatewayv2/route:Route": _force_new(
        "internal/service/apigatewayv2/route.go", apiId="api_id"
    ),
    "aws:apigatewayv2/stage:Stage": _force_new(
        "internal/service/apigatewayv2/stage.go", "name", apiId="api_id"
    ),
    "aws:apigatewayv2/authorizer:Authorizer": _force_new(
        "internal/service/apigatewayv2/authorizer.go", apiId="api_id"
    ),
    "aws:apigatewayv2/apiMapping:ApiMapping": _force_new(
        "internal/service/apigatewayv2/api_mapping.go", apiId="api_id", domainName="domain_name"
    ),
    "aws:acm/certificate:Certificate": _force_new(
        "internal/service/acm/certificate.go",
        "certificateAuthorityArn",
        "domainName",
        "keyAlgorithm",
        "subjectAlternativeNames",
        "validationMethod",
        validationOptions="validation_option",
    ),
    "aws:acm/certificateValidation:CertificateValidation": _force_new(
        "internal/service/acm/certificate_validation.go", "certificateArn", "validationRecordFqdns"
    ),
    "aws:route53/record:Record": _force_new("internal/service/route53/record.go", "name", "zoneId"),
    "aws:sns/topic:Topic": _force_new(
        "internal/service/sns/topic.go", "name", "namePrefix", "fifoTopic"
    ),
    "aws:sns/topicSubscription:TopicSubscription": _force_new(
        "internal/service/sns/topic_subscription.go", "endpoint", "protocol", topic="topic_arn"
    ),
    "aws:wafv2/webAcl:WebAcl": _force_new("internal/service/wafv2/web_acl.go", "name", "scope"),
    "aws:wafv2/webAclAssociation:WebAclAssociation": _force_new(
        "internal/service/wafv2/web_acl_association.go", "resourceArn", "webAclArn"
    ),
    "pulumi:providers:aws": Replacing(
        "github.com/pulumi/pulumi-aws pull request 4000 (not Terraform's: the bridge's DiffConfig)",
        {"region": "a new region replaces the provider and every resource created with it"},
    ),
    "dynamodb-operations:api:DynamoDBOperationsApi": Replacing(
        "infra/api.py: a component resource; Pulumi creates nothing on AWS for it", {}
    ),
}

#: Services whose resources are global: Terraform gave them no ``region`` argument.
GLOBAL_SERVICES = ("aws:iam/", "aws:route53/")
REGION_NOTE = (
    "region: ForceNew on every Region-aware resource "
    "(website/docs/guides/enhanced-region-support.html.markdown)"
)


def _with_region(token: str, entry: Replacing) -> Replacing:
    if not token.startswith("aws:") or token.startswith(GLOBAL_SERVICES):
        return entry
    return Replacing(entry.source, {**entry.inputs, "region": REGION_NOTE}, entry.unrecorded)


REPLACING: dict[str, Replacing] = {
    token: _with_region(token, entry) for token, entry in _BY_SCHEMA.items()
}


def replacing(token: str) -> Replacing:
    """The type's entry; for a type the program just started using, an error saying what to add."""
    try:
        return REPLACING[token]
    except KeyError:
        raise LookupError(
            f"no replacing inputs are listed for {token}: read which of its arguments are "
            f"ForceNew in {PROVIDER_REPOSITORY} and add it to tests/infra/replacement.py"
        ) from None
