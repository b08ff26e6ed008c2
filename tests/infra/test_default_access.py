"""Who may call a stack's API when its stack file does not say: key holders, never anyone.

A new stack (``pulumi stack init production``, a region, ``pulumi up``) must not
deploy an API anyone can call; only a stack file that says ``authMode: none``
does, and dev is the one that says it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from infra.project import PROJECT_DIR
from infra.settings import stack_settings, stacks
from tests.infra.conftest import PROJECT, Deployment, run_program, write_stack_file
from tests.infra.test_program import (
    API_KEY,
    REST_API,
    USAGE_PLAN,
    USAGE_PLAN_KEY,
    api_document,
    post_method,
)


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    """A new stack whose file says nothing but its region and stage, deployed."""
    project = tmp_path_factory.mktemp("project")
    write_stack_file(
        project,
        "production",
        {"aws:region": "eu-west-1", f"{PROJECT}:stageName": "production"},
    )
    return run_program("production", project_dir=project)


def test_a_new_stack_without_an_auth_mode_requires_an_api_key(production):
    document = api_document(production)

    assert post_method(production)["security"] == [{"api_key": []}]
    assert document["components"]["securitySchemes"]["api_key"] == {
        "type": "apiKey",
        "name": "x-api-key",
        "in": "header",
    }
    assert document["x-amazon-apigateway-api-key-source"] == "HEADER"


def test_a_new_stack_without_an_auth_mode_gets_a_key_a_usage_plan_and_exports_the_key(
    production,
):
    key, plan = production.one(API_KEY), production.one(USAGE_PLAN)

    assert key.inputs["enabled"] is True
    assert plan.inputs["apiStages"] == [
        {"apiId": production.one(REST_API).id, "stage": "production"}
    ]
    assert production.one(USAGE_PLAN_KEY).inputs["keyId"] == key.id
    assert production.outputs["apiKey"] == key.state["value"]
    assert "apiKey" in production.secret_outputs


def test_a_stack_file_saying_auth_mode_none_deploys_an_open_api(tmp_path: Path):
    write_stack_file(tmp_path, "open", {"aws:region": "eu-west-1", f"{PROJECT}:authMode": "none"})

    deployment = run_program("open", project_dir=tmp_path)

    assert "security" not in post_method(deployment)
    assert not deployment.of_type(API_KEY)
    assert "apiKey" not in deployment.outputs


@pytest.mark.parametrize("stack", stacks())
def test_only_a_stack_whose_file_says_so_is_open(stack):
    written = yaml.safe_load((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text())["config"]

    says_open = written.get(f"{PROJECT}:authMode") == "none"
    assert (stack_settings(stack).auth_mode == "none") == says_open


def test_dev_says_it_is_open_and_orders_is_not():
    assert stack_settings("dev").auth_mode == "none"
    assert stack_settings("orders").auth_mode == "apiKey"
