"""Which API member each property the program sets becomes, as the AWS provider sends it.

:mod:`tests.infra.aws_constraints` checks each value against its member's
constraints in botocore's service models; a test fails when the program sets a
property this table neither maps nor explains, so the check covers all of it.
"""

from __future__ import annotations

from typing import Any

#: Each resource type's properties (as the engine records them, camelCase) and the API
#: member each becomes. ``a[]`` is each item of a list, ``a{key}``/``a{value}`` each key
#: or value of a map, on either side.
MEMBERS: dict[str, dict[str, str]] = {
    "aws:dynamodb/table:Table": {
        "name": "dynamodb.CreateTable.TableName",
        "billingMode": "dynamodb.CreateTable.BillingMode",
        "hashKey": "dynamodb.CreateTable.KeySchema[].AttributeName",
        "rangeKey": "dynamodb.CreateTable.KeySchema[].AttributeName",
        "attributes[].name": "dynamodb.CreateTable.AttributeDefinitions[].AttributeName",
        "attributes[].type": "dynamodb.CreateTable.AttributeDefinitions[].AttributeType",
        "globalSecondaryIndexes[].name": "dynamodb.CreateTable.GlobalSecondaryIndexes[].IndexName",
        "globalSecondaryIndexes[].keySchemas[].attributeName": (
            "dynamodb.CreateTable.GlobalSecondaryIndexes[].KeySchema[].AttributeName"
        ),
        "globalSecondaryIndexes[].keySchemas[].keyType": (
            "dynamodb.CreateTable.GlobalSecondaryIndexes[].KeySchema[].KeyType"
        ),
        "globalSecondaryIndexes[].projectionType": (
            "dynamodb.CreateTable.GlobalSecondaryIndexes[].Projection.ProjectionType"
        ),
        "globalSecondaryIndexes[].nonKeyAttributes": (
            "dynamodb.CreateTable.GlobalSecondaryIndexes[].Projection.NonKeyAttributes"
        ),
        "localSecondaryIndexes[].name": "dynamodb.CreateTable.LocalSecondaryIndexes[].IndexName",
        "localSecondaryIndexes[].rangeKey": (
            "dynamodb.CreateTable.LocalSecondaryIndexes[].KeySchema[].AttributeName"
        ),
        "localSecondaryIndexes[].projectionType": (
            "dynamodb.CreateTable.LocalSecondaryIndexes[].Projection.ProjectionType"
        ),
        "localSecondaryIndexes[].nonKeyAttributes": (
            "dynamodb.CreateTable.LocalSecondaryIndexes[].Projection.NonKeyAttributes"
        ),
        "streamEnabled": "dynamodb.CreateTable.StreamSpecification.StreamEnabled",
        "streamViewType": "dynamodb.CreateTable.StreamSpecification.StreamViewType",
        "deletionProtectionEnabled": "dynamodb.CreateTable.DeletionProtectionEnabled",
        "tagsAll{key}": "dynamodb.CreateTable.Tags[].Key",
        "tagsAll{value}": "dynamodb.CreateTable.Tags[].Value",
        "ttl.attributeName": "dynamodb.UpdateTimeToLive.TimeToLiveSpecification.AttributeName",
        "ttl.enabled": "dynamodb.UpdateTimeToLive.TimeToLiveSpecification.Enabled",
        "pointInTimeRecovery.enabled": (
            "dynamodb.UpdateContinuousBackups.PointInTimeRecoverySpecification."
            "PointInTimeRecoveryEnabled"
        ),
    },
    "aws:iam/role:Role": {
        "name": "iam.CreateRole.RoleName",
        "assumeRolePolicy": "iam.CreateRole.AssumeRolePolicyDocument",
        "description": "iam.CreateRole.Description",
        "managedPolicyArns[]": "iam.AttachRolePolicy.PolicyArn",
        "tagsAll{key}": "iam.CreateRole.Tags[].Key",
        "tagsAll{value}": "iam.CreateRole.Tags[].Value",
    },
    "aws:iam/rolePolicy:RolePolicy": {
        "name": "iam.PutRolePolicy.PolicyName",
        "role": "iam.PutRolePolicy.RoleName",
        "policy": "iam.PutRolePolicy.PolicyDocument",
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
        "role": "iam.AttachRolePolicy.RoleName",
        "policyArn": "iam.AttachRolePolicy.PolicyArn",
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        "name": "logs.CreateLogGroup.logGroupName",
        "retentionInDays": "logs.PutRetentionPolicy.retentionInDays",
        "tagsAll{key}": "logs.CreateLogGroup.tags{key}",
        "tagsAll{value}": "logs.CreateLogGroup.tags{value}",
    },
    "aws:lambda/function:Function": {
        "name": "lambda.CreateFunction.FunctionName",
        "description": "lambda.CreateFunction.Description",
        "role": "lambda.CreateFunction.Role",
        "runtime": "lambda.CreateFunction.Runtime",
        "handler": "lambda.CreateFunction.Handler",
        "memorySize": "lambda.CreateFunction.MemorySize",
        "timeout": "lambda.CreateFunction.Timeout",
        "architectures": "lambda.CreateFunction.Architectures",
        "publish": "lambda.CreateFunction.Publish",
        "environment.variables{key}": "lambda.CreateFunction.Environment.Variables{key}",
        "environment.variables{value}": "lambda.CreateFunction.Environment.Variables{value}",
        "loggingConfig.logFormat": "lambda.CreateFunction.LoggingConfig.LogFormat",
        "loggingConfig.logGroup": "lambda.CreateFunction.LoggingConfig.LogGroup",
        "tracingConfig.mode": "lambda.CreateFunction.TracingConfig.Mode",
        "snapStart.applyOn": "lambda.CreateFunction.SnapStart.ApplyOn",
        "reservedConcurrentExecutions": (
            "lambda.PutFunctionConcurrency.ReservedConcurrentExecutions"
        ),
        "tagsAll{key}": "lambda.CreateFunction.Tags{key}",
        "tagsAll{value}": "lambda.CreateFunction.Tags{value}",
    },
    "aws:lambda/alias:Alias": {
        "name": "lambda.CreateAlias.Name",
        "description": "lambda.CreateAlias.Description",
        "functionName": "lambda.CreateAlias.FunctionName",
        "functionVersion": "lambda.CreateAlias.FunctionVersion",
    },
    "aws:lambda/permission:Permission": {
        "function": "lambda.AddPermission.FunctionName",
        "statementId": "lambda.AddPermission.StatementId",
        "action": "lambda.AddPermission.Action",
        "principal": "lambda.AddPermission.Principal",
        "sourceArn": "lambda.AddPermission.SourceArn",
        "qualifier": "lambda.AddPermission.Qualifier",
    },
    "aws:apigateway/restApi:RestApi": {
        "name": "apigateway.CreateRestApi.name",
        "description": "apigateway.CreateRestApi.description",
        # One type in pulumi-aws 7, sent as a one-item list.
        "endpointConfiguration.types": "apigateway.CreateRestApi.endpointConfiguration.types[]",
        "putRestApiMode": "apigateway.PutRestApi.mode",
        "body": "apigateway.PutRestApi.body",
        "tagsAll{key}": "apigateway.CreateRestApi.tags{key}",
        "tagsAll{value}": "apigateway.CreateRestApi.tags{value}",
    },
    "aws:apigateway/deployment:Deployment": {
        "restApi": "apigateway.CreateDeployment.restApiId",
        "description": "apigateway.CreateDeployment.description",
    },
    "aws:apigateway/stage:Stage": {
        "restApi": "apigateway.CreateStage.restApiId",
        "stageName": "apigateway.CreateStage.stageName",
        "deployment": "apigateway.CreateStage.deploymentId",
        "xrayTracingEnabled": "apigateway.CreateStage.tracingEnabled",
        "tagsAll{key}": "apigateway.CreateStage.tags{key}",
        "tagsAll{value}": "apigateway.CreateStage.tags{value}",
    },
    "aws:apigateway/methodSettings:MethodSettings": {
        "restApi": "apigateway.UpdateStage.restApiId",
        "stageName": "apigateway.UpdateStage.stageName",
    },
    "aws:apigateway/apiKey:ApiKey": {
        "name": "apigateway.CreateApiKey.name",
        "description": "apigateway.CreateApiKey.description",
        "enabled": "apigateway.CreateApiKey.enabled",
        "tagsAll{key}": "apigateway.CreateApiKey.tags{key}",
        "tagsAll{value}": "apigateway.CreateApiKey.tags{value}",
    },
    "aws:apigateway/usagePlan:UsagePlan": {
        "name": "apigateway.CreateUsagePlan.name",
        "description": "apigateway.CreateUsagePlan.description",
        "apiStages[].apiId": "apigateway.CreateUsagePlan.apiStages[].apiId",
        "apiStages[].stage": "apigateway.CreateUsagePlan.apiStages[].stage",
        "throttleSettings.burstLimit": "apigateway.CreateUsagePlan.throttle.burstLimit",
        "throttleSettings.rateLimit": "apigateway.CreateUsagePlan.throttle.rateLimit",
        "quotaSettings.limit": "apigateway.CreateUsagePlan.quota.limit",
        "quotaSettings.period": "apigateway.CreateUsagePlan.quota.period",
        "tagsAll{key}": "apigateway.CreateUsagePlan.tags{key}",
        "tagsAll{value}": "apigateway.CreateUsagePlan.tags{value}",
    },
    "aws:apigateway/usagePlanKey:UsagePlanKey": {
        "usagePlanId": "apigateway.CreateUsagePlanKey.usagePlanId",
        "keyId": "apigateway.CreateUsagePlanKey.keyId",
        "keyType": "apigateway.CreateUsagePlanKey.keyType",
    },
    "aws:apigateway/account:Account": {},
    "aws:apigateway/domainName:DomainName": {
        "domainName": "apigateway.CreateDomainName.domainName",
        "regionalCertificateArn": "apigateway.CreateDomainName.regionalCertificateArn",
        "endpointConfiguration.types": (
            "apigateway.CreateDomainName.endpointConfiguration.types[]"
        ),
        "securityPolicy": "apigateway.CreateDomainName.securityPolicy",
        "tagsAll{key}": "apigateway.CreateDomainName.tags{key}",
        "tagsAll{value}": "apigateway.CreateDomainName.tags{value}",
    },
    "aws:apigateway/basePathMapping:BasePathMapping": {
        "domainName": "apigateway.CreateBasePathMapping.domainName",
        "restApi": "apigateway.CreateBasePathMapping.restApiId",
        "stageName": "apigateway.CreateBasePathMapping.stage",
    },
    "aws:apigatewayv2/api:Api": {
        "name": "apigatewayv2.CreateApi.Name",
        "description": "apigatewayv2.CreateApi.Description",
        "protocolType": "apigatewayv2.CreateApi.ProtocolType",
        "corsConfiguration.allowOrigins": "apigatewayv2.CreateApi.CorsConfiguration.AllowOrigins",
        "corsConfiguration.allowMethods": "apigatewayv2.CreateApi.CorsConfiguration.AllowMethods",
        "corsConfiguration.allowHeaders": "apigatewayv2.CreateApi.CorsConfiguration.AllowHeaders",
        "corsConfiguration.exposeHeaders": (
            "apigatewayv2.CreateApi.CorsConfiguration.ExposeHeaders"
        ),
        "tagsAll{key}": "apigatewayv2.CreateApi.Tags{key}",
        "tagsAll{value}": "apigatewayv2.CreateApi.Tags{value}",
    },
    "aws:apigatewayv2/integration:Integration": {
        "apiId": "apigatewayv2.CreateIntegration.ApiId",
        "description": "apigatewayv2.CreateIntegration.Description",
        "integrationType": "apigatewayv2.CreateIntegration.IntegrationType",
        "integrationMethod": "apigatewayv2.CreateIntegration.IntegrationMethod",
        "integrationUri": "apigatewayv2.CreateIntegration.IntegrationUri",
        "payloadFormatVersion": "apigatewayv2.CreateIntegration.PayloadFormatVersion",
        "timeoutMilliseconds": "apigatewayv2.CreateIntegration.TimeoutInMillis",
    },
    "aws:apigatewayv2/route:Route": {
        "apiId": "apigatewayv2.CreateRoute.ApiId",
        "routeKey": "apigatewayv2.CreateRoute.RouteKey",
        "target": "apigatewayv2.CreateRoute.Target",
        "authorizationType": "apigatewayv2.CreateRoute.AuthorizationType",
        "authorizerId": "apigatewayv2.CreateRoute.AuthorizerId",
    },
    "aws:apigatewayv2/authorizer:Authorizer": {
        "apiId": "apigatewayv2.CreateAuthorizer.ApiId",
        "name": "apigatewayv2.CreateAuthorizer.Name",
        "authorizerType": "apigatewayv2.CreateAuthorizer.AuthorizerType",
        "identitySources": "apigatewayv2.CreateAuthorizer.IdentitySource",
        "jwtConfiguration.issuer": "apigatewayv2.CreateAuthorizer.JwtConfiguration.Issuer",
        "jwtConfiguration.audiences": "apigatewayv2.CreateAuthorizer.JwtConfiguration.Audience",
    },
    "aws:apigatewayv2/stage:Stage": {
        "apiId": "apigatewayv2.CreateStage.ApiId",
        "name": "apigatewayv2.CreateStage.StageName",
        "autoDeploy": "apigatewayv2.CreateStage.AutoDeploy",
        "defaultRouteSettings.throttlingBurstLimit": (
            "apigatewayv2.CreateStage.DefaultRouteSettings.ThrottlingBurstLimit"
        ),
        "defaultRouteSettings.throttlingRateLimit": (
            "apigatewayv2.CreateStage.DefaultRouteSettings.ThrottlingRateLimit"
        ),
        "accessLogSettings.destinationArn": (
            "apigatewayv2.CreateStage.AccessLogSettings.DestinationArn"
        ),
        "accessLogSettings.format": "apigatewayv2.CreateStage.AccessLogSettings.Format",
        "tagsAll{key}": "apigatewayv2.CreateStage.Tags{key}",
        "tagsAll{value}": "apigatewayv2.CreateStage.Tags{value}",
    },
    "aws:apigatewayv2/apiMapping:ApiMapping": {
        "apiId": "apigatewayv2.CreateApiMapping.ApiId",
        "domainName": "apigatewayv2.CreateApiMapping.DomainName",
        "stage": "apigatewayv2.CreateApiMapping.Stage",
    },
    "aws:sns/topic:Topic": {
        "name": "sns.CreateTopic.Name",
        "displayName": "sns.CreateTopic.Attributes{value}",
        "tagsAll{key}": "sns.CreateTopic.Tags[].Key",
        "tagsAll{value}": "sns.CreateTopic.Tags[].Value",
    },
    "aws:sns/topicSubscription:TopicSubscription": {
        "topic": "sns.Subscribe.TopicArn",
        "protocol": "sns.Subscribe.Protocol",
        "endpoint": "sns.Subscribe.Endpoint",
    },
    "aws:cloudwatch/metricAlarm:MetricAlarm": {
        "name": "cloudwatch.PutMetricAlarm.AlarmName",
        "alarmDescription": "cloudwatch.PutMetricAlarm.AlarmDescription",
        "alarmActions": "cloudwatch.PutMetricAlarm.AlarmActions",
        "okActions": "cloudwatch.PutMetricAlarm.OKActions",
        "namespace": "cloudwatch.PutMetricAlarm.Namespace",
        "metricName": "cloudwatch.PutMetricAlarm.MetricName",
        "statistic": "cloudwatch.PutMetricAlarm.Statistic",
        "extendedStatistic": "cloudwatch.PutMetricAlarm.ExtendedStatistic",
        "dimensions{key}": "cloudwatch.PutMetricAlarm.Dimensions[].Name",
        "dimensions{value}": "cloudwatch.PutMetricAlarm.Dimensions[].Value",
        "period": "cloudwatch.PutMetricAlarm.Period",
        "evaluationPeriods": "cloudwatch.PutMetricAlarm.EvaluationPeriods",
        "datapointsToAlarm": "cloudwatch.PutMetricAlarm.DatapointsToAlarm",
        "threshold": "cloudwatch.PutMetricAlarm.Threshold",
        "comparisonOperator": "cloudwatch.PutMetricAlarm.ComparisonOperator",
        "treatMissingData": "cloudwatch.PutMetricAlarm.TreatMissingData",
        "metricQueries[].id": "cloudwatch.PutMetricAlarm.Metrics[].Id",
        "metricQueries[].expression": "cloudwatch.PutMetricAlarm.Metrics[].Expression",
        "metricQueries[].label": "cloudwatch.PutMetricAlarm.Metrics[].Label",
        "metricQueries[].period": "cloudwatch.PutMetricAlarm.Metrics[].Period",
        "metricQueries[].returnData": "cloudwatch.PutMetricAlarm.Metrics[].ReturnData",
        "metricQueries[].metric.metricName": (
            "cloudwatch.PutMetricAlarm.Metrics[].MetricStat.Metric.MetricName"
        ),
        "metricQueries[].metric.namespace": (
            "cloudwatch.PutMetricAlarm.Metrics[].MetricStat.Metric.Namespace"
        ),
        "metricQueries[].metric.period": "cloudwatch.PutMetricAlarm.Metrics[].MetricStat.Period",
        "metricQueries[].metric.stat": "cloudwatch.PutMetricAlarm.Metrics[].MetricStat.Stat",
        "metricQueries[].metric.dimensions{key}": (
            "cloudwatch.PutMetricAlarm.Metrics[].MetricStat.Metric.Dimensions[].Name"
        ),
        "metricQueries[].metric.dimensions{value}": (
            "cloudwatch.PutMetricAlarm.Metrics[].MetricStat.Metric.Dimensions[].Value"
        ),
        "tagsAll{key}": "cloudwatch.PutMetricAlarm.Tags[].Key",
        "tagsAll{value}": "cloudwatch.PutMetricAlarm.Tags[].Value",
    },
    "aws:cloudwatch/dashboard:Dashboard": {
        "dashboardName": "cloudwatch.PutDashboard.DashboardName",
        "dashboardBody": "cloudwatch.PutDashboard.DashboardBody",
    },
    "aws:acm/certificate:Certificate": {
        "domainName": "acm.RequestCertificate.DomainName",
        "validationMethod": "acm.RequestCertificate.ValidationMethod",
        "tagsAll{key}": "acm.RequestCertificate.Tags[].Key",
        "tagsAll{value}": "acm.RequestCertificate.Tags[].Value",
    },
    "aws:acm/certificateValidation:CertificateValidation": {
        "certificateArn": "acm.DescribeCertificate.CertificateArn",
    },
    "aws:route53/record:Record": {
        "zoneId": "route53.ChangeResourceRecordSets.HostedZoneId",
        "name": "route53.ChangeResourceRecordSets.ChangeBatch.Changes[].ResourceRecordSet.Name",
        "type": "route53.ChangeResourceRecordSets.ChangeBatch.Changes[].ResourceRecordSet.Type",
        "ttl": "route53.ChangeResourceRecordSets.ChangeBatch.Changes[].ResourceRecordSet.TTL",
        "records[]": (
            "route53.ChangeResourceRecordSets.ChangeBatch.Changes[].ResourceRecordSet."
            "ResourceRecords[].Value"
        ),
        "aliases[].name": (
            "route53.ChangeResourceRecordSets.ChangeBatch.Changes[].ResourceRecordSet."
            "AliasTarget.DNSName"
        ),
        "aliases[].zoneId": (
            "route53.ChangeResourceRecordSets.ChangeBatch.Changes[].ResourceRecordSet."
            "AliasTarget.HostedZoneId"
        ),
        "aliases[].evaluateTargetHealth": (
            "route53.ChangeResourceRecordSets.ChangeBatch.Changes[].ResourceRecordSet."
            "AliasTarget.EvaluateTargetHealth"
        ),
    },
    "aws:wafv2/webAcl:WebAcl": {
        "name": "wafv2.CreateWebACL.Name",
        "description": "wafv2.CreateWebACL.Description",
        "scope": "wafv2.CreateWebACL.Scope",
        "defaultAction": "wafv2.CreateWebACL.DefaultAction",
        "visibilityConfig.metricName": "wafv2.CreateWebACL.VisibilityConfig.MetricName",
        "visibilityConfig.cloudwatchMetricsEnabled": (
            "wafv2.CreateWebACL.VisibilityConfig.CloudWatchMetricsEnabled"
        ),
        "visibilityConfig.sampledRequestsEnabled": (
            "wafv2.CreateWebACL.VisibilityConfig.SampledRequestsEnabled"
        ),
        "rules[].name": "wafv2.CreateWebACL.Rules[].Name",
        "rules[].priority": "wafv2.CreateWebACL.Rules[].Priority",
        "rules[].action": "wafv2.CreateWebACL.Rules[].Action",
        "rules[].overrideAction": "wafv2.CreateWebACL.Rules[].OverrideAction",
        "rules[].statement": "wafv2.CreateWebACL.Rules[].Statement",
        "rules[].statement.rateBasedStatement.limit": (
            "wafv2.CreateWebACL.Rules[].Statement.RateBasedStatement.Limit"
        ),
        "rules[].statement.rateBasedStatement.aggregateKeyType": (
            "wafv2.CreateWebACL.Rules[].Statement.RateBasedStatement.AggregateKeyType"
        ),
        "rules[].statement.rateBasedStatement.evaluationWindowSec": (
            "wafv2.CreateWebACL.Rules[].Statement.RateBasedStatement.EvaluationWindowSec"
        ),
        "rules[].statement.managedRuleGroupStatement.vendorName": (
            "wafv2.CreateWebACL.Rules[].Statement.ManagedRuleGroupStatement.VendorName"
        ),
        "rules[].statement.managedRuleGroupStatement.name": (
            "wafv2.CreateWebACL.Rules[].Statement.ManagedRuleGroupStatement.Name"
        ),
        "rules[].statement.managedRuleGroupStatement.ruleActionOverrides[].name": (
            "wafv2.CreateWebACL.Rules[].Statement.ManagedRuleGroupStatement."
            "RuleActionOverrides[].Name"
        ),
        "rules[].statement.managedRuleGroupStatement.ruleActionOverrides[].actionToUse": (
            "wafv2.CreateWebACL.Rules[].Statement.ManagedRuleGroupStatement."
            "RuleActionOverrides[].ActionToUse"
        ),
        "rules[].visibilityConfig.metricName": (
            "wafv2.CreateWebACL.Rules[].VisibilityConfig.MetricName"
        ),
        "rules[].visibilityConfig.cloudwatchMetricsEnabled": (
            "wafv2.CreateWebACL.Rules[].VisibilityConfig.CloudWatchMetricsEnabled"
        ),
        "rules[].visibilityConfig.sampledRequestsEnabled": (
            "wafv2.CreateWebACL.Rules[].VisibilityConfig.SampledRequestsEnabled"
        ),
        "tagsAll{key}": "wafv2.CreateWebACL.Tags[].Key",
        "tagsAll{value}": "wafv2.CreateWebACL.Tags[].Value",
    },
    "aws:wafv2/webAclAssociation:WebAclAssociation": {
        "resourceArn": "wafv2.AssociateWebACL.ResourceArn",
        "webAclArn": "wafv2.AssociateWebACL.WebACLArn",
    },
}

#: Properties the program sets that map to no constrained member, and why.
UNMAPPED: dict[str, dict[str, str]] = {
    "aws:lambda/function:Function": {
        "code": "the archive: tests/infra/test_archive.py loads it in a clean interpreter",
    },
    "aws:apigateway/deployment:Deployment": {
        "triggers": "the provider's own: a change replaces the deployment, AWS never sees it",
    },
    "aws:apigateway/stage:Stage": {
        "accessLogSettings": "patch values (UpdateStage), plain strings in the model; "
        "DOCUMENTED checks the format",
    },
    "aws:apigateway/methodSettings:MethodSettings": {
        "methodPath": "a patch path, '*/*' for every method (UpdateStage's patch operations)",
        "settings": "patch values (UpdateStage), which the model leaves as plain strings",
    },
    "aws:apigateway/account:Account": {
        "cloudwatchRoleArn": "a patch value (UpdateAccount), which the model leaves a string",
    },
    "aws:route53/record:Record": {
        "allowOverwrite": "the provider's own: UPSERT rather than CREATE",
    },
    "aws:acm/certificateValidation:CertificateValidation": {
        "validationRecordFqdns": "the provider's own: what it waits for, AWS never sees it",
    },
}

#: Values the provider takes to mean "call nothing", and what it does instead.
SENTINELS: dict[tuple[str, str], tuple[Any, str]] = {
    ("aws:lambda/function:Function", "reservedConcurrentExecutions"): (
        -1,
        "no reservation: the provider calls DeleteFunctionConcurrency",
    ),
}

#: Members a structure requires that the provider fills in itself, and from what.
PROVIDED: dict[str, str] = {
    "dynamodb.CreateTable.KeySchema[].KeyType": "HASH for hashKey, RANGE for rangeKey",
    "dynamodb.CreateTable.LocalSecondaryIndexes[].KeySchema[].KeyType": (
        "the table's hashKey as HASH and the index's rangeKey as RANGE"
    ),
    "dynamodb.UpdateTimeToLive.TableName": "the table's name",
    "dynamodb.UpdateContinuousBackups.TableName": "the table's name",
    "iam.AttachRolePolicy.RoleName": "the role's name",
    "logs.PutRetentionPolicy.logGroupName": "the log group's name",
    "lambda.CreateFunction.Code": "the archive (see UNMAPPED)",
    "lambda.PutFunctionConcurrency.FunctionName": "the function's name",
    "lambda.AddPermission.StatementId": "generated by the provider (terraform-<timestamp>)",
    "apigateway.PutRestApi.restApiId": "the REST API's id",
    "apigateway.UpdateStage.restApiId": "the REST API's id",
    "sns.CreateTopic.Name": "the topic's name",
    "sns.CreateTopic.Attributes{value}": "DisplayName's value (the map's key)",
    "route53.ChangeResourceRecordSets.ChangeBatch.Changes[].Action": "CREATE or UPSERT",
    "route53.ChangeResourceRecordSets.ChangeBatch.Changes[].ResourceRecordSet.Name": "name",
    "wafv2.CreateWebACL.Rules[].Statement.ManagedRuleGroupStatement.RuleActionOverrides[]"
    ".ActionToUse": "mapped whole (a structure)",
    "acm.DescribeCertificate.CertificateArn": "the certificate's ARN",
}
