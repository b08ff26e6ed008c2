"""What makes a stack operable, under mocks: alarms, dashboard, domain, WAF, names and tags."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from packaging.version import Version

from infra.aws_provider import MINIMUM_CLI, OBJECT_CONFIG_CLI, provider_args
from infra.project import PROJECT_DIR
from infra.resource_names import stack_resource_name
from infra.settings import SettingsError
from tests.infra.conftest import ACCOUNT, Deployment, Registered, run_program

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
FUNCTION = "aws:lambda/function:Function"
TABLE = "aws:dynamodb/table:Table"
REST_API = "aws:apigateway/restApi:RestApi"
STAGE = "aws:apigateway/stage:Stage"
DOMAIN = "aws:apigateway/domainName:DomainName"
MAPPING = "aws:apigateway/basePathMapping:BasePathMapping"
RECORD = "aws:route53/record:Record"
CERTIFICATE = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WEB_ACL_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
PROVIDER = "pulumi:providers:aws"
OPERATING = (PROJECT_DIR / "docs" / "operating.md").read_text()

#: Every alarm prod declares, by the part of its name after ``<project>-<stack>-``.
PROD_ALARMS = {
    "api-5xx-rate",
    "api-latency-p99",
    "function-errors",
    "function-throttles",
    "function-duration",
    "table-LambdaTable-throttled",
    "table-LambdaTable-system-errors",
    "idempotency-records-throttled",
    "idempotency-records-system-errors",
}
CERTIFICATE_ARN = (
    f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/0f6e2d4c-1a2b-4c3d-9e8f-123456789abc"
)
ZONE = "Z0123456789ABCDEFGHIJ"


def alarms(deployment: Deployment) -> dict[str, Registered]:
    prefix = f"dynamodb-operations-{deployment.stack}-"
    found = {alarm.inputs["name"]: alarm for alarm in deployment.of_type(ALARM)}
    assert all(name.startswith(prefix) for name in found)
    return {name.removeprefix(prefix): alarm for name, alarm in found.items()}


# --- Alarms -------------------------------------------------------------------------------------


def test_prod_declares_the_recommended_alarms_each_notifying_the_topic(prod):
    topic = prod.one(TOPIC)
    declared = alarms(prod)

    assert set(declared) == PROD_ALARMS
    for alarm in declared.values():
        assert alarm.inputs["alarmActions"] == [topic.state["arn"]]
        assert alarm.inputs["okActions"] == [topic.state["arn"]]
        assert alarm.inputs["treatMissingData"] == "notBreaching"
    assert prod.outputs["alarmTopicArn"] == topic.state["arn"]


def test_dev_declares_no_alarm_topic_or_dashboard(dev):
    assert not dev.of_type(ALARM)
    assert not dev.of_type(TOPIC)
    assert not dev.of_type(DASHBOARD)
    assert "alarmTopicArn" not in dev.outputs


def test_the_api_alarms_watch_this_stacks_api_and_stage(prod):
    declared = alarms(prod)
    dimensions = {"ApiName": "DynamoDBOperations-prod", "Stage": "prod"}

    errors, latency = declared["api-5xx-rate"].inputs, declared["api-latency-p99"].inputs
    assert (errors["namespace"], errors["metricName"]) == ("AWS/ApiGateway", "5XXError")
    assert errors["dimensions"] == dimensions
    assert (errors["statistic"], errors["threshold"]) == ("Average", 0.05)
    assert latency["dimensions"] == dimensions
    assert (latency["extendedStatistic"], latency["threshold"]) == ("p99", 2500)


def test_the_function_alarms_watch_the_function_and_its_timeout(prod):
    declared = alarms(prod)
    function = prod.one(FUNCTION).state["name"]

    for key, metric in [
        ("function-errors", "Errors"),
        ("function-throttles", "Throttles"),
        ("function-duration", "Duration"),
    ]:
        assert declared[key].inputs["metricName"] == metric
        assert declared[key].inputs["dimensions"] == {"FunctionName": function}
    # Near the 25 s timeout: 90 % of it, in milliseconds.
    assert declared["function-duration"].inputs["threshold"] == 22_500


def test_each_table_alarm_sums_every_operation_on_that_table(prod):
    declared = alarms(prod)
    names = {table.name: table.state["name"] for table in prod.of_type(TABLE)}
    table = names["dynamodb-operations-table"]
    records = names["dynamodb-operations-idempotency"]

    for label, physical in [("table-LambdaTable", table), ("idempotency-records", records)]:
        for suffix, metric in [
            ("throttled", "ThrottledRequests"),
            ("system-errors", "SystemErrors"),
        ]:
            [query] = declared[f"{label}-{suffix}"].inputs["metricQueries"]
            assert query["expression"] == " ".join(
                [
                    f"SELECT SUM({metric})",
                    'FROM SCHEMA("AWS/DynamoDB", Operation, TableName)',
                    f"WHERE TableName = '{physical}'",
                ]
            )
            assert (query["period"], query["returnData"]) == (60, True)
            # A query alarm names no single metric of its own.
            for single in ("namespace", "metricName", "period", "statistic", "dimensions"):
                assert single not in declared[f"{label}-{suffix}"].inputs


def test_a_stack_with_several_tables_alarms_on_each():
    deployment = run_program("orders", {"alarms": True})
    keys = set(alarms(deployment))

    for table in ("LambdaTable", "Orders", "idempotency-records"):
        prefix = table if table == "idempotency-records" else f"table-{table}"
        assert {f"{prefix}-throttled", f"{prefix}-system-errors"} <= keys
    assert len(deployment.of_type(ALARM)) == 5 + 2 * 3


def test_thresholds_are_settable_and_the_rest_keep_their_defaults():
    deployment = run_program(
        "prod", {"alarmThresholds": {"apiLatencyP99": 1000, "functionDurationOfTimeout": 0.5}}
    )
    declared = alarms(deployment)

    assert declared["api-latency-p99"].inputs["threshold"] == 1000
    assert declared["function-duration"].inputs["threshold"] == 12_500
    assert declared["api-5xx-rate"].inputs["threshold"] == 0.05


@pytest.mark.parametrize(
    ("thresholds", "message"),
    [
        ({"apiLatencyP90": 1000}, r"unknown threshold 'apiLatencyP90'; did you mean apiLatencyP99"),
        ({"apiServerErrorRate": 5}, r"apiServerErrorRate is a share"),
        ({"functionErrors": -1}, r"functionErrors: -1 is not a finite number of at least 0"),
        ({"functionErrors": True}, r"functionErrors: True is not a finite number"),
    ],
)
def test_a_wrong_threshold_is_refused_naming_it(thresholds, message):
    with pytest.raises(SettingsError, match=message):
        run_program("prod", {"alarmThresholds": thresholds})


def test_an_alarm_email_subscribes_to_the_topic():
    deployment = run_program("prod", {"alarmEmail": "oncall@example.com"})
    subscription = deployment.one(SUBSCRIPTION)

    assert subscription.inputs["topic"] == deployment.one(TOPIC).state["arn"]
    assert subscription.inputs["protocol"] == "email"
    assert subscription.inputs["endpoint"] == "oncall@example.com"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"alarmEmail": "oncall@example.com"}, r"alarmEmail needs alarms: true"),
        ({"alarms": True, "alarmEmail": "oncall"}, r"alarmEmail must be one email address"),
    ],
)
def test_an_alarm_email_without_alarms_or_an_address_is_refused(overrides, message):
    with pytest.raises(SettingsError, match=message):
        run_program("dev", overrides)


def test_the_operating_page_says_what_each_alarm_means(prod):
    for key in alarms(prod):
        generic = re.sub(r"^table-LambdaTable-", "table-<table>-", key)
        assert f"`{generic}`" in OPERATING, f"docs/operating.md does not explain {generic}"


# --- Dashboard ----------------------------------------------------------------------------------


def dashboard_of(deployment: Deployment) -> dict:
    return json.loads(deployment.one(DASHBOARD).inputs["dashboardBody"])


def metric_rows(body: dict) -> list[list]:
    return [
        row for w in body["widgets"] if w["type"] == "metric" for row in w["properties"]["metrics"]
    ]


def test_prod_has_a_dashboard_named_for_the_stack_showing_its_alarms(prod):
    dashboard = prod.one(DASHBOARD)
    body = dashboard_of(prod)

    assert dashboard.inputs["dashboardName"] == "dynamodb-operations-prod"
    assert prod.outputs["dashboardName"] == "dynamodb-operations-prod"
    [alarm_widget] = [w for w in body["widgets"] if w["type"] == "alarm"]
    assert set(alarm_widget["properties"]["alarms"]) == {
        a.state["arn"] for a in prod.of_type(ALARM)
    }
    assert {w["properties"]["region"] for w in body["widgets"] if w["type"] == "metric"} == {
        "us-east-1"
    }


def test_the_dashboard_shows_the_api_the_function_each_table_and_each_operation(prod):
    rows = metric_rows(dashboard_of(prod))
    plain = {tuple(row[:2]) + tuple(row[2:4]) for row in rows if isinstance(row[0], str)}
    expressions = [row[0]["expression"] for row in rows if isinstance(row[0], dict)]
    function = prod.one(FUNCTION).state["name"]

    assert ("AWS/ApiGateway", "5XXError", "ApiName", "DynamoDBOperations-prod") in plain
    assert ("AWS/Lambda", "Duration", "FunctionName", function) in plain
    for table in prod.of_type(TABLE):
        assert any(f"WHERE TableName = '{table.state['name']}'" in e for e in expressions)
    for metric in ("Requests", "ServerErrors", "ClientErrors", "Latency"):
        assert (
            f"SEARCH('{{DynamoDBOperations/prod,operation}} MetricName=\"{metric}\"'"
            in " ".join(expressions)
        )


def test_the_dashboards_widgets_do_not_overlap(prod):
    cells: set[tuple[int, int]] = set()
    for widget in dashboard_of(prod)["widgets"]:
        assert widget["x"] + widget["width"] <= 24
        area = {
            (x, y)
            for x in range(widget["x"], widget["x"] + widget["width"])
            for y in range(widget["y"], widget["y"] + widget["height"])
        }
        assert not area & cells, f"{widget['properties'].get('title')} overlaps another widget"
        cells |= area


def test_the_dashboard_shows_the_region_the_stacks_provider_deploys_to():
    body = dashboard_of(run_program("prod", {"aws:region": "eu-west-1"}))

    assert {w["properties"]["region"] for w in body["widgets"] if w["type"] == "metric"} == {
        "eu-west-1"
    }


def test_each_dashboard_graph_holds_at_most_one_metrics_insights_query(prod):
    # GetMetricData, which draws a graph, takes one Metrics Insights query at a time.
    for widget in dashboard_of(prod)["widgets"]:
        if widget["type"] == "metric":
            rows = widget["properties"]["metrics"]
            queries = [r for r in rows if isinstance(r[0], dict) and "SELECT" in r[0]["expression"]]
            assert len(queries) <= 1, widget["properties"]["title"]


def test_a_dashboard_without_metrics_or_alarms_has_neither_widget():
    body = dashboard_of(run_program("dev", {"dashboard": True}))

    assert not [w for w in body["widgets"] if w["type"] == "alarm"]
    assert "SEARCH(" not in json.dumps(body)


# --- Custom domain ------------------------------------------------------------------------------


def test_a_domain_with_a_certificate_maps_the_stage_and_becomes_the_url():
    deployment = run_program(
        "dev", {"domainName": "api.example.com", "certificateArn": CERTIFICATE_ARN}
    )
    domain = deployment.one(DOMAIN)
    mapping = deployment.one(MAPPING)

    assert domain.inputs["domainName"] == "api.example.com"
    assert domain.inputs["regionalCertificateArn"] == CERTIFICATE_ARN
    assert domain.inputs["endpointConfiguration"]["types"] == "REGIONAL"
    assert domain.inputs["securityPolicy"] == "TLS_1_2"
    assert mapping.inputs["restApi"] == deployment.one(REST_API).id
    assert mapping.inputs["stageName"] == "dev"
    assert "basePath" not in mapping.inputs
    assert deployment.outputs["url"] == "https://api.example.com/DynamoDBManager"
    assert deployment.outputs["domainTarget"] == domain.state["regionalDomainName"]
    assert json.loads(deployment.outputs["openapi"])["servers"] == [
        {"url": "https://api.example.com"}
    ]
    # No zone: the DNS record is the deployer's to make, and no certificate is issued here.
    assert not deployment.of_type(RECORD)
    assert not deployment.of_type(CERTIFICATE)


def test_a_domain_in_a_hosted_zone_gets_a_dns_validated_certificate_and_an_alias_record():
    deployment = run_program("dev", {"domainName": "api.example.com", "hostedZoneId": ZONE})
    certificate = deployment.one(CERTIFICATE)
    validation = deployment.one(VALIDATION)
    records = {record.inputs["type"]: record for record in deployment.of_type(RECORD)}
    domain = deployment.one(DOMAIN)

    assert certificate.inputs["validationMethod"] == "DNS"
    [option] = certificate.state["domainValidationOptions"]
    assert records["CNAME"].inputs["name"] == option["resourceRecordName"]
    assert records["CNAME"].inputs["records"] == [option["resourceRecordValue"]]
    assert records["CNAME"].inputs["zoneId"] == ZONE
    assert validation.inputs["validationRecordFqdns"] == [records["CNAME"].state["fqdn"]]
    # The domain waits for a validated certificate, not merely a requested one.
    assert domain.inputs["regionalCertificateArn"] == validation.inputs["certificateArn"]
    assert validation.urn in domain.dependencies
    [alias] = records["A"].inputs["aliases"]
    assert records["A"].inputs["name"] == "api.example.com"
    assert records["A"].inputs["zoneId"] == ZONE
    assert alias["name"] == domain.state["regionalDomainName"]
    assert alias["zoneId"] == domain.state["regionalZoneId"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"domainName": "api.example.com"}, r"domainName needs certificateArn .* or hostedZoneId"),
        ({"certificateArn": CERTIFICATE_ARN}, r"certificateArn needs domainName"),
        ({"domainName": "API.example.com", "hostedZoneId": ZONE}, r"domainName must be a lower"),
        (
            {"domainName": "api.example.com", "certificateArn": "arn:aws:iam::1:x"},
            r"certificateArn must be an ACM certificate ARN",
        ),
        (
            {"domainName": f"{'a' * 50}.api.example.com", "hostedZoneId": ZONE},
            r"domainName is over 64 characters, the longest name ACM issues a certificate for",
        ),
    ],
)
def test_an_incomplete_or_wrong_domain_is_refused_naming_the_setting(overrides, message):
    with pytest.raises(SettingsError, match=message):
        run_program("dev", overrides)


def test_a_long_domain_name_is_taken_with_a_certificate_of_ones_own():
    name = f"{'a' * 50}.api.example.com"

    deployment = run_program("dev", {"domainName": name, "certificateArn": CERTIFICATE_ARN})

    assert deployment.outputs["url"] == f"https://{name}/DynamoDBManager"


def test_a_certificate_from_another_region_is_refused_naming_both():
    """us-east-1, as CloudFront wants, is the likely mistake for a stack elsewhere."""
    other = CERTIFICATE_ARN.replace(":us-east-1:", ":eu-west-1:")

    with pytest.raises(SettingsError, match="the certificate is in eu-west-1, the stack in us-"):
        run_program("dev", {"domainName": "api.example.com", "certificateArn": other})


def test_without_a_domain_the_url_is_the_stages(dev):
    assert not dev.of_type(DOMAIN)
    assert dev.outputs["url"] == dev.one(STAGE).state["invokeUrl"] + "/DynamoDBManager"
    assert "domainTarget" not in dev.outputs


# --- WAF ----------------------------------------------------------------------------------------


def test_waf_guards_the_stage_with_the_common_rules_and_a_rate_per_ip():
    deployment = run_program("dev", {"waf": True, "wafRateLimit": 500})
    acl = deployment.one(WEB_ACL)
    association = deployment.one(WEB_ACL_ASSOCIATION)
    rules = {rule["name"]: rule for rule in acl.inputs["rules"]}

    assert acl.inputs["scope"] == "REGIONAL"
    assert acl.inputs["name"] == "dynamodb-operations-dev"
    assert acl.inputs["defaultAction"] == {"allow": {}}
    rate = rules["rate-per-ip"]["statement"]["rateBasedStatement"]
    assert (rate["limit"], rate["aggregateKeyType"]) == (500, "IP")
    assert rules["rate-per-ip"]["action"] == {"block": {}}
    managed = rules["AWSManagedRulesCommonRuleSet"]["statement"]["managedRuleGroupStatement"]
    assert (managed["vendorName"], managed["name"]) == ("AWS", "AWSManagedRulesCommonRuleSet")
    # Batch bodies are over the set's 8 KB limit: that rule counts, it does not block.
    assert managed["ruleActionOverrides"] == [
        {"name": "SizeRestrictions_BODY", "actionToUse": {"count": {}}}
    ]
    assert association.inputs["resourceArn"] == deployment.one(STAGE).state["arn"]
    assert association.inputs["webAclArn"] == acl.state["arn"]


def test_no_stack_file_turns_waf_on_and_a_rate_out_of_wafs_bounds_is_refused(dev, prod):
    assert not dev.of_type(WEB_ACL)
    assert not prod.of_type(WEB_ACL)
    with pytest.raises(SettingsError, match=r"wafRateLimit must be 10 to"):
        run_program("dev", {"waf": True, "wafRateLimit": 5})


# --- Names and tags -----------------------------------------------------------------------------


def provider_of(deployment: Deployment) -> Registered:
    [provider] = [r for r in deployment.resources if r.type == PROVIDER]
    return provider


def test_every_aws_resource_is_created_by_the_stacks_provider_which_tags_it(stack):
    provider = provider_of(stack)
    reference = f"{provider.urn}::{provider.id}"

    aws_resources = [r for r in stack.resources if r.type.startswith("aws:")]
    assert aws_resources
    assert {r.provider for r in aws_resources} == {reference}
    tags = json.loads(provider.inputs["defaultTags"])["tags"]
    assert tags == {"project": "dynamodb-operations", "stack": stack.stack}
    assert provider.inputs["region"] == "us-east-1"


def test_the_stacks_aws_config_reaches_the_provider_and_its_own_tags_are_kept():
    deployment = run_program(
        "dev",
        {
            "aws:profile": "ops",
            "aws:allowedAccountIds": json.dumps([ACCOUNT]),
            "aws:defaultTags": json.dumps({"tags": {"team": "data", "stack": "mine"}}),
        },
    )
    inputs = provider_of(deployment).inputs

    assert inputs["profile"] == "ops"
    assert json.loads(inputs["allowedAccountIds"]) == [ACCOUNT]
    # The stack's name wins over a tag of the same key: it is what tells stacks apart.
    assert json.loads(inputs["defaultTags"])["tags"] == {
        "team": "data",
        "stack": "dev",
        "project": "dynamodb-operations",
    }


@pulumi.runtime.test
def test_a_secret_aws_setting_stays_secret_in_the_provider():
    pulumi.runtime.set_all_config(
        {"aws:region": "us-east-1", "aws:secretKey": "not-a-real-key"}, ["aws:secretKey"]
    )
    args = provider_args(
        {"aws:region": "us-east-1", "aws:secretKey": "not-a-real-key"}, {"stack": "dev"}
    )

    assert args["region"] == "us-east-1"
    secret_key = args["secret_key"]
    assert isinstance(secret_key, pulumi.Output)

    def check(resolved: list[Any]) -> None:
        is_secret, value = resolved
        assert is_secret
        assert value == "not-a-real-key"

    return pulumi.Output.all(secret_key.is_secret(), pulumi.Output.unsecret(secret_key)).apply(
        check
    )


def test_a_cli_older_than_the_project_needs_is_refused_naming_the_range():
    with pytest.raises(RuntimeError, match=r"3\.216\.0 does not satisfy .*>=3\.217\.0"):
        run_program("prod", cli_version="3.216.0")


def test_the_cli_floor_covers_what_pulumi_yaml_declares():
    """A CLI under the floor must never get as far as reading a project file it refuses."""
    config = yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())["config"]
    floor = Version(MINIMUM_CLI.removeprefix(">="))

    assert any(setting.get("type") == "object" for setting in config.values())
    assert floor >= Version(OBJECT_CONFIG_CLI)
    assert run_program("prod", cli_version=str(floor)).outputs["url"]


@pytest.mark.parametrize(
    "tags", [{"Project": "shop"}, {"Stack": "prod"}, {"owner": "a", "Owner": "b"}]
)
def test_default_tags_differing_only_in_case_are_refused(tags):
    """IAM refuses them on a role (Duplicate tag keys found), after everything before it."""
    with pytest.raises(ValueError, match=r"differ only in case .* IAM takes tag keys"):
        run_program("dev", {"aws:defaultTags": {"tags": tags}})


def test_an_aws_setting_the_provider_lacks_is_refused_naming_it():
    with pytest.raises(ValueError, match=r"config aws:regoin is not a setting of the AWS provider"):
        run_program("dev", {"aws:regoin": "us-east-1"})


def test_a_stack_name_with_a_dot_still_names_a_dashboard_and_a_web_acl():
    # Stack names allow "."; dashboard and WAF names allow only letters, digits, - and _.
    assert stack_resource_name("dynamodb-operations", "prod.eu") == "dynamodb-operations-prod-eu"


def test_names_operators_search_for_carry_the_stack(prod):
    assert prod.one(REST_API).inputs["name"] == "DynamoDBOperations-prod"
    assert "stack prod" in prod.one(FUNCTION).inputs["description"]
    assert all(
        a.inputs["name"].startswith("dynamodb-operations-prod-") for a in prod.of_type(ALARM)
    )


def test_the_docs_say_what_each_part_costs_at_rest():
    costs = OPERATING.split("## What it costs at rest", 1)[1]
    for part in ("Alarms", "Dashboard", "Custom domain", "WAF", "Access logs", "SnapStart"):
        assert part in costs, f"docs/operating.md does not give the cost of {part}"


def test_the_operating_guide_is_linked_from_the_readme():
    assert "docs/operating.md" in Path(PROJECT_DIR / "README.md").read_text()
