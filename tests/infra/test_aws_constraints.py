"""Every resource of every stack is what AWS accepts, by botocore's models and AWS's pages."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest

from infra.settings import stacks
from tests.infra.aws_constraints import check_deployment, check_resource, check_value, member_shape
from tests.infra.aws_members import MEMBERS, UNMAPPED
from tests.infra.conftest import (
    HTTP_RUNS,
    SESSION_RUNS,
    Deployment,
    FakeAws,
    Registered,
    deployment_of,
)

WEB_ACL = "aws:wafv2/webAcl:WebAcl"
FUNCTION = "aws:lambda/function:Function"
#: The description CreateWebACL refused: WAF takes no apostrophe.
OLD_WAF_DESCRIPTION = "The DynamoDB operations API's stage: common managed rules, rate per IP"


#: Every stack file (a user's too), and the stacks with every part on: REST both ways, HTTP.
CHECKED = tuple(dict.fromkeys((*stacks(), *SESSION_RUNS, *HTTP_RUNS)))


@pytest.fixture(params=CHECKED)
def deployment(request: pytest.FixtureRequest) -> Deployment:
    return deployment_of(request.param, request)


def with_state(resource: Registered, **changes: Any) -> Registered:
    """``resource`` as if the program had set ``changes`` on it."""
    return dataclasses.replace(resource, state={**resource.state, **changes})


def test_every_resource_of_the_stack_is_what_aws_accepts(deployment):
    violations = check_deployment(deployment)

    assert not violations, "\n".join(map(str, violations))


def test_the_stack_with_everything_on_has_every_optional_part(
    everything, everything_own_certificate
):
    types = {resource.type for resource in everything.resources}
    tables = everything.of_type("aws:dynamodb/table:Table")
    indexed = [
        table.inputs
        for table in tables
        if table.inputs.get("globalSecondaryIndexes") and table.inputs.get("localSecondaryIndexes")
    ]

    assert {
        WEB_ACL,
        "aws:acm/certificate:Certificate",
        "aws:route53/record:Record",
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:cloudwatch/dashboard:Dashboard",
        "aws:apigateway/account:Account",
        "aws:lambda/alias:Alias",
        "aws:apigateway/domainName:DomainName",
    } <= types
    assert "aws:acm/certificate:Certificate" not in {
        resource.type for resource in everything_own_certificate.resources
    }
    assert everything.one(FUNCTION).inputs["snapStart"] == {"applyOn": "PublishedVersions"}
    assert everything.one(FUNCTION).inputs["reservedConcurrentExecutions"] > 0
    assert any(table["ttl"]["enabled"] for table in indexed)
    assert len([table for table in tables if table.inputs.get("streamEnabled")]) >= 2


def leaves(value: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every path to a plain value in ``value``: keys, and ``[]`` for a list's items."""
    if isinstance(value, dict) and value:
        return [leaf for key, item in value.items() for leaf in leaves(item, (*path, key))]
    if isinstance(value, list) and value:
        return [leaf for item in value for leaf in leaves(item, (*path, "[]"))]
    return [path]


def covers(mapped: str, leaf: tuple[str, ...]) -> bool:
    """Whether the mapped property path reaches ``leaf``, or a structure holding it."""
    wanted = [part for part in re.split(r"\.|(\[\])|(\{key\}|\{value\})", mapped) if part]
    for index, part in enumerate(wanted):
        if part in ("{key}", "{value}"):
            return len(leaf) > index
        if index >= len(leaf) or leaf[index] != part:
            return False
    return True


def test_every_property_the_program_sets_is_mapped_to_the_member_aws_gets(request):
    """Down to each value, so a nested property the program starts setting is checked too."""
    unmapped = set()
    for deployment in (deployment_of(name, request) for name in CHECKED):
        for resource in deployment.resources:
            if not resource.custom or resource.type.startswith("pulumi:providers:"):
                continue
            assert resource.type in MEMBERS, f"{resource.type} is not in MEMBERS"
            mapped = [*MEMBERS[resource.type], *UNMAPPED.get(resource.type, {})]
            unmapped |= {
                f"{resource.type}.{'.'.join(leaf)}"
                for leaf in leaves(resource.inputs)
                if not any(covers(path, leaf) for path in mapped)
            }

    assert not unmapped, f"map these in MEMBERS (or say why not in UNMAPPED): {sorted(unmapped)}"


def test_a_nested_property_left_unmapped_is_found(everything):
    function = everything.one(FUNCTION)
    mapped = [
        *(path for path in MEMBERS[FUNCTION] if path != "loggingConfig.logGroup"),
        *UNMAPPED[FUNCTION],
    ]

    missed = [leaf for leaf in leaves(function.inputs) if not any(covers(p, leaf) for p in mapped)]

    assert missed == [("loggingConfig", "logGroup")]


def test_the_old_waf_description_fails_naming_the_resource_property_member_and_pattern(
    everything,
):
    acl = with_state(everything.one(WEB_ACL), description=OLD_WAF_DESCRIPTION)

    (violation,) = check_resource(acl, everything)

    assert violation.resource == "dynamodb-operations-web-acl"
    assert violation.property == "description"
    assert violation.member == "wafv2.CreateWebACL.Description"
    assert member_shape(violation.member).metadata["pattern"] in violation.rule
    assert str(violation).startswith(
        "dynamodb-operations-web-acl: description = \"The DynamoDB operations API's stage"
    )


def test_a_structure_missing_a_member_aws_requires_fails(everything):
    acl = everything.one(WEB_ACL)
    without = dataclasses.replace(
        acl, state={key: value for key, value in acl.state.items() if key != "visibilityConfig"}
    )

    violations = [str(violation) for violation in check_resource(without, everything)]

    assert violations == [
        "dynamodb-operations-web-acl: (not set) = None -> "
        "wafv2.CreateWebACL.VisibilityConfig: required, and nothing sets it"
    ]


def test_names_pulumi_generates_are_checked_as_aws_will_see_them(everything):
    """The resource name, a dash and 7 hex characters: what length limits apply to."""
    generated = [
        resource
        for resource in everything.resources
        if resource.type in FakeAws.AUTONAMED and "name" not in resource.inputs
    ]
    long_named = with_state(everything.one(FUNCTION), name=f"{'f' * 57}-0123abc")

    assert generated
    for resource in generated:
        assert re.fullmatch(rf"{re.escape(resource.name)}-[0-9a-f]{{7}}", resource.state["name"])
    assert [violation.member for violation in check_resource(long_named, everything)] == [
        "(documented)"
    ]
    assert "at most 64" not in str(check_resource(long_named, everything)[0])
    assert "1 to 64" in str(check_resource(long_named, everything)[0])


def test_botocore_patterns_match_as_java_does_ascii_word_characters_only():
    """AWS validates with Java, whose ``\\w`` is ASCII; Python's takes any script's letters."""
    name = member_shape("wafv2.CreateWebACL.Name")
    tag_key = member_shape("lambda.CreateFunction.Tags{key}")

    assert re.fullmatch(name.metadata["pattern"], "règles")
    assert check_value("règles", name) == [f"the pattern {name.metadata['pattern']}"]
    assert check_value("rules-1", name) == []
    assert check_value("équipe", tag_key) == []


def test_limits_aws_documents_beyond_botocore_fail_citing_their_page(everything):
    function = everything.one(FUNCTION)
    crowded = with_state(
        function,
        environment={
            "variables": {**function.state["environment"]["variables"], "BIG": "x" * 4096}
        },
    )
    retention = with_state(
        everything.one("aws:cloudwatch/logGroup:LogGroup", "operations-logs"), retentionInDays=10
    )

    (too_big,) = check_resource(crowded, everything)
    (not_a_period,) = check_resource(retention, everything)

    assert too_big.property == "environment.variables"
    assert "4 KB" in too_big.rule
    assert "lambda/latest/dg/gettingstarted-limits" in too_big.rule
    assert "API_PutRetentionPolicy" in not_a_period.rule


def test_tags_are_checked_together_as_well_as_one_by_one(everything):
    table = everything.one("aws:dynamodb/table:Table", "-table")
    crowded = with_state(table, tags={f"team{number}": "x" for number in range(49)})
    clashing = with_state(table, tags={"Project": "shop"})

    assert [violation.rule for violation in check_resource(crowded, everything)] == [
        "a resource carries at most 50 tags "
        "(https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html)"
    ]
    assert "differ in more than case" in str(check_resource(clashing, everything))


def test_numbers_wider_than_awss_integers_fail(everything):
    plan = with_state(
        everything.one("aws:apigateway/usagePlan:UsagePlan"),
        quotaSettings={"limit": 5_000_000_000, "period": "DAY"},
    )

    (violation,) = check_resource(plan, everything)

    assert violation.member == "apigateway.CreateUsagePlan.quota.limit"
    assert violation.rule == "a 32-bit integer (AWS's integer shapes are 32-bit)"


def test_values_out_of_the_models_range_or_enum_fail(everything):
    function = everything.one(FUNCTION)

    assert check_resource(with_state(function, reservedConcurrentExecutions=-1), everything) == []
    assert [
        violation.rule
        for violation in check_resource(
            with_state(function, reservedConcurrentExecutions=-2, architectures=["arm"]), everything
        )
    ] == ["item 0: one of ['x86_64', 'arm64']", "at least 0"]
