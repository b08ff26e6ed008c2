"""`make serve` on a stack with the seed's catch-all (``routes: proxy``) and on an HTTP API
stack (``apiType: http``), over real HTTP: one server each.

Stack files are environments, so these stacks are no files of the project: each
server runs a copy of the project's code beside a stack file of its own.
"""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.project import PROJECT_DIR
from infra.settings import project_name
from tests.local.conftest import LocalServer, start_server

#: What a server needs of the project: its code, its packaging, its settings' declarations.
PROJECT_PARTS = ("function", "operations", "infra", "local_api", "pyproject.toml", "Pulumi.yaml")
ITEM = '{"Id": "7", "name": "Ann", "n": 0.10000000000000000001}'
PAGE = "http://localhost:5173"


def project_with_stack(root: Path, stack: str, settings: dict[str, Any]) -> Path:
    """A copy of the project holding ``Pulumi.<stack>.yaml`` with these settings."""
    for part in PROJECT_PARTS:
        source = PROJECT_DIR / part
        if source.is_dir():
            shutil.copytree(source, root / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, root / part)
    config = {"aws:region": "us-east-1"} | {
        f"{project_name()}:{key}": value for key, value in settings.items()
    }
    (root / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config}))
    return root


def serve(
    factory: pytest.TempPathFactory, stack: str, settings: dict[str, Any]
) -> Iterator[LocalServer]:
    tmp = factory.mktemp(stack)
    project = project_with_stack(tmp / "project", stack, settings)
    server = start_server(tmp, "--stack", stack, project_dir=project)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """A REST API stack with the catch-all, open."""
    yield from serve(tmp_path_factory, "proxied", {"authMode": "none", "routes": "proxy"})


@pytest.fixture(scope="module")
def http_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """An HTTP API stack whose callers need a JWT, its routes listed."""
    yield from serve(
        tmp_path_factory,
        "web",
        {
            "apiType": "http",
            "authMode": "jwt",
            "jwtIssuer": "https://issuer.example.com",
            "jwtAudience": ["web"],
        },
    )


def token() -> str:
    """A token as an identity provider would issue it (unsigned: nothing checks it here)."""

    def part(document: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")

    claims = {"iss": "https://issuer.example.com", "aud": "web", "sub": "u1"}
    return f"{part({'alg': 'RS256'})}.{part(claims)}.c2ln"


def send(
    server: LocalServer, method: str, path: str, body: str | None = None, **headers: str
) -> Any:
    if body is not None:
        headers["Content-Type"] = "application/json"
    return server.request(method, path, body, headers)


def test_the_banner_says_the_api_type_and_its_routing(proxied, http_api):
    rest, http = proxied.log(), http_api.log()

    assert "API: REST API, payload 1.0 (proxy) events; routes: proxy (/{proxy+}" in rest
    assert f"(also {proxied.base}/dev/DynamoDBManager)" in rest
    assert "API: HTTP API, $default stage, payload format 2.0 events; routes: listed" in http
    assert f"{http_api.base}/dev/" not in http  # an HTTP API's $default stage is not in URLs
    assert "Authorization: Bearer <token>" in http
    assert "not verified locally" in http


def test_under_the_catch_all_an_unknown_route_is_the_functions_404(proxied):
    for path in ("/Nope", "/dev/LambdaTable/things/deep", "/lambdatable/items"):
        answer = send(proxied, "GET", path)
        assert answer.status == 404, path
        assert answer.json["type"] == "RouteNotFound", path
    wrong_method = send(proxied, "PUT", "/LambdaTable/items")
    assert (wrong_method.status, wrong_method.headers["allow"]) == (405, "GET, POST")


def test_under_the_catch_all_the_routes_and_the_tutorials_resource_answer_as_before(proxied):
    created = send(proxied, "POST", "/LambdaTable/items", ITEM)
    read = send(proxied, "GET", "/dev/LambdaTable/items/7")
    ping = proxied.post({"operation": "ping"})
    other_method = send(proxied, "GET", "/DynamoDBManager")
    below = send(proxied, "POST", "/DynamoDBManager/items", "{}")

    assert (created.status, created.headers["location"]) == (201, "/dev/LambdaTable/items/7")
    assert (read.status, read.text) == (200, '{"Id":"7","name":"Ann","n":0.10000000000000000001}')
    assert (ping.status, ping.text) == (200, '"pong"')
    for refused in (other_method, below):
        assert (refused.status, refused.json) == (403, {"message": "Missing Authentication Token"})


def test_an_http_api_serves_the_table_routes_to_a_caller_with_a_token(http_api):
    bearer = {"Authorization": f"Bearer {token()}"}

    created = send(http_api, "POST", "/LambdaTable/items", ITEM, **bearer)
    read = send(http_api, "GET", "/LambdaTable/items/7", **bearer)
    patched = send(http_api, "PATCH", "/LambdaTable/items/7", '{"name": "Bo"}', **bearer)
    deleted = send(http_api, "DELETE", "/LambdaTable/items/7", **bearer)
    gone = send(http_api, "GET", "/LambdaTable/items/7", **bearer)
    ping = http_api.post({"operation": "ping"}, **bearer)

    assert [a.status for a in (created, read, patched, deleted, gone)] == [201, 200, 200, 204, 404]
    # An HTTP API's $default stage is no part of its URLs, nor of Location.
    assert created.headers["location"] == "/LambdaTable/items/7"
    assert read.text == '{"Id":"7","name":"Ann","n":0.10000000000000000001}'
    assert patched.json["name"] == "Bo"
    assert gone.json["type"] == "ItemNotFound"
    assert (ping.status, ping.text) == (200, '"pong"')
    assert "apigw-requestid" in read.headers


def test_an_http_api_answers_its_own_404_and_401(http_api):
    bearer = {"Authorization": f"Bearer {token()}"}

    for method, path in [
        ("GET", "/Nope"),
        ("GET", "/dev/LambdaTable/items"),
        ("GET", "/DynamoDBManager"),
    ]:
        answer = send(http_api, method, path, **bearer)
        assert (answer.status, answer.json) == (404, {"message": "Not Found"}), (method, path)
    unauthorized = send(http_api, "POST", "/LambdaTable/items", '{"Id": "8"}')
    still_absent = send(http_api, "GET", "/LambdaTable/items/8", **bearer)
    other_method = send(http_api, "PUT", "/LambdaTable/items", **bearer)

    assert (unauthorized.status, unauthorized.json) == (401, {"message": "Unauthorized"})
    assert still_absent.status == 404
    # The path's other methods reach the function, as deployed, for its 405.
    assert (other_method.status, other_method.headers["allow"]) == (405, "GET, POST")


def test_an_http_api_answers_a_browsers_preflight_itself(http_api):
    answer = send(
        http_api,
        "OPTIONS",
        "/LambdaTable/items/7",
        Origin=PAGE,
        **{"Access-Control-Request-Method": "PATCH"},
    )

    assert (answer.status, answer.text) == (204, "")
    assert answer.headers["access-control-allow-origin"] == PAGE
    assert "PATCH" in answer.headers["access-control-allow-methods"].split(",")
