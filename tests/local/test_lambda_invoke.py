"""Lambda's Invoke API on ``make serve``: botocore's Lambda client reaches the real handler."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from local_api.lambda_invoke import LambdaInvokeApi
from local_api.proxy_event import HttpRequest
from tests.conftest import REGION
from tests.local.conftest import LocalServer, start_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    served = start_server(tmp_path_factory.mktemp("invoke"))
    yield served
    served.stop()


@pytest.fixture(scope="module")
def lambda_client(server: LocalServer) -> Any:
    return boto3.client(
        "lambda",
        endpoint_url=server.base,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}),
    )


def invoke(client: Any, event: Any, name: str = "LambdaFunctionOverHttps", **args: Any) -> Any:
    return client.invoke(FunctionName=name, Payload=json.dumps(event).encode(), **args)


def test_echo_returns_its_payload(lambda_client):
    answer = invoke(lambda_client, {"operation": "echo", "payload": {"somekey1": "somevalue1"}})

    assert answer["StatusCode"] == 200
    assert "FunctionError" not in answer
    assert json.loads(answer["Payload"].read()) == {"somekey1": "somevalue1"}


def test_the_tutorials_requests_reach_the_table_through_the_handler(lambda_client):
    item = {"Id": "invoked", "price": 19.99}
    invoke(lambda_client, {"operation": "create", "payload": {"Item": item}})

    answer = invoke(lambda_client, {"operation": "read", "payload": {"Key": {"Id": "invoked"}}})

    assert json.loads(answer["Payload"].read()) == {"Item": item}


def test_an_unknown_operation_is_a_function_error_as_lambda_reports_it(lambda_client):
    answer = invoke(lambda_client, {"operation": "nope"})
    error = json.loads(answer["Payload"].read())

    assert answer["StatusCode"] == 200
    assert answer["FunctionError"] == "Unhandled"
    assert error["errorType"] == "UnknownOperationError"
    assert error["errorMessage"].startswith("Unknown operation 'nope'; available operations:")
    assert error["requestId"] == answer["ResponseMetadata"]["RequestId"]
    assert all("lambda_invoke.py" not in frame for frame in error["stackTrace"])


@pytest.mark.parametrize(
    "name",
    [
        "dynamodb-operations-function-a1b2c3d",
        "arn:aws:lambda:us-east-1:123456789012:function:dynamodb-operations-function-a1b2c3d",
        "arn:aws:lambda:us-east-1:123456789012:function:LambdaFunctionOverHttps:$LATEST",
        "123456789012:function:LambdaFunctionOverHttps",
    ],
)
def test_the_stacks_function_and_the_tutorials_answer_by_name_or_arn(lambda_client, name):
    answer = invoke(lambda_client, {"operation": "ping"}, name=name)

    assert json.loads(answer["Payload"].read()) == "pong"


def test_another_function_is_not_found(lambda_client):
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException, match="other"):
        invoke(lambda_client, {"operation": "ping"}, name="other")


def test_an_event_invocation_is_accepted_and_runs(lambda_client):
    queued = invoke(
        lambda_client,
        {"operation": "create", "payload": {"Item": {"Id": "queued"}}},
        InvocationType="Event",
    )
    read = invoke(lambda_client, {"operation": "read", "payload": {"Key": {"Id": "queued"}}})

    assert queued["StatusCode"] == 202
    assert json.loads(read["Payload"].read()) == {"Item": {"Id": "queued"}}


def test_an_event_invocation_that_fails_still_answers_202_without_a_function_error(lambda_client):
    queued = invoke(lambda_client, {"operation": "nope"}, InvocationType="Event")

    assert queued["StatusCode"] == 202
    assert "FunctionError" not in queued
    assert queued["Payload"].read() == b""


def test_a_dry_run_checks_the_call_and_runs_nothing(lambda_client):
    dry = invoke(
        lambda_client,
        {"operation": "create", "payload": {"Item": {"Id": "dry"}}},
        InvocationType="DryRun",
    )
    read = invoke(lambda_client, {"operation": "read", "payload": {"Key": {"Id": "dry"}}})

    assert dry["StatusCode"] == 204
    assert json.loads(read["Payload"].read()) == {}  # a direct read of no item, as DynamoDB


def test_an_unknown_invocation_type_is_refused(server):
    answer = server.request(
        "POST",
        "/2015-03-31/functions/LambdaFunctionOverHttps/invocations",
        b'{"operation": "ping"}',
        {"X-Amz-Invocation-Type": "Later"},
    )

    assert answer.status == 400
    assert answer.headers["x-amzn-errortype"] == "InvalidParameterValueException"


def test_a_payload_over_6_mb_is_refused_by_lambda_itself(lambda_client):
    echo = {"operation": "echo", "payload": {"text": "x" * (6 * 1024 * 1024)}}

    with pytest.raises(lambda_client.exceptions.RequestTooLargeException, match="6291456"):
        invoke(lambda_client, echo)


class OneHandler:
    """Function code that is always ``handler`` (the server's code, without reload)."""

    def __init__(self, handler: Any) -> None:
        self.loaded = SimpleNamespace(handler=handler)

    @contextmanager
    def use(self) -> Iterator[Any]:
        yield self.loaded


def test_an_answer_over_6_mb_is_lambdas_function_error():
    api = LambdaInvokeApi(OneHandler(lambda event, context: "x" * (6 * 1024 * 1024)), ("f",), 3)

    answer = api.answer(
        HttpRequest("POST", "/2015-03-31/functions/f/invocations", [], [], b"{}", "127.0.0.1")
    )

    assert answer is not None
    assert (answer.status, ("X-Amz-Function-Error", "Unhandled") in answer.headers) == (200, True)
    assert json.loads(answer.body)["errorType"] == "Function.ResponseSizeTooLarge"


def test_a_payload_that_is_not_json_is_refused_by_lambda_itself(lambda_client):
    with pytest.raises(
        lambda_client.exceptions.InvalidRequestContentException, match="Could not parse"
    ):
        lambda_client.invoke(FunctionName="LambdaFunctionOverHttps", Payload=b"{nope")


def test_the_tutorials_aws_lambda_invoke_runs_against_make_serve(server, tmp_path):
    """The tutorial's first test, word for word but for --endpoint-url (AWS CLI v1)."""
    (tmp_path / "input.txt").write_text(
        json.dumps({"operation": "echo", "payload": {"somekey1": "somevalue1"}})
    )
    invoked = subprocess.run(
        [
            *(sys.executable, "-m", "awscli", "lambda", "invoke"),
            *("--endpoint-url", server.base, "--function-name", "LambdaFunctionOverHttps"),
            *("--payload", "file://input.txt", "outputfile.txt"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={
            **os.environ,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        },
    )

    assert invoked.returncode == 0, invoked.stderr
    assert json.loads(invoked.stdout) == {"StatusCode": 200, "ExecutedVersion": "$LATEST"}
    assert json.loads((tmp_path / "outputfile.txt").read_text()) == {"somekey1": "somevalue1"}


def test_a_payload_nested_too_deep_to_parse_is_lambdas_400(server):
    answer = server.request(
        "POST",
        "/2015-03-31/functions/LambdaFunctionOverHttps/invocations",
        b"[" * 10_000 + b"]" * 10_000,
    )

    assert answer.status == 400
    assert answer.headers["x-amzn-errortype"] == "InvalidRequestContentException"
    assert answer.json["message"].startswith("Could not parse request body into json")


#: The key pair a server listening beyond loopback is started with, which clients sign with.
SIGNING_ENV = {"AWS_ACCESS_KEY_ID": "invoke-key", "AWS_SECRET_ACCESS_KEY": "invoke-secret"}
INVOCATIONS = "/2015-03-31/functions/LambdaFunctionOverHttps/invocations"


def lambda_client_for(server: LocalServer, key_id: str, secret: str) -> Any:
    return boto3.client(
        "lambda",
        endpoint_url=server.base,
        region_name=REGION,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture(scope="module")
def exposed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """Listening on every address with --invoke-api (the tests connect over 127.0.0.1 only)."""
    served = start_server(
        tmp_path_factory.mktemp("exposed"), "--host", "0.0.0.0", "--invoke-api", env=SIGNING_ENV
    )
    yield served
    served.stop()


def test_beyond_loopback_the_invoke_api_is_off_unless_asked_for(tmp_path):
    served = start_server(tmp_path, "--host", "0.0.0.0", env=SIGNING_ENV)
    try:
        answer = served.request("POST", INVOCATIONS, b'{"operation": "list"}')
        api = served.post({"operation": "ping"})
    finally:
        served.stop()

    assert answer.status == 403
    assert "--invoke-api" in answer.json["message"]
    assert (api.status, api.json) == (200, "pong")
    assert "Lambda's Invoke API: off on 0.0.0.0" in served.log()


def test_with_invoke_api_a_request_signed_with_the_servers_key_pair_is_answered(exposed_server):
    client = lambda_client_for(exposed_server, "invoke-key", "invoke-secret")

    answer = invoke(client, {"operation": "echo", "payload": {"signed": True}})
    by_arn = invoke(
        client,
        {"operation": "ping"},
        name="arn:aws:lambda:us-east-1:123456789012:function:LambdaFunctionOverHttps",
        Qualifier="$LATEST",
    )

    assert json.loads(answer["Payload"].read()) == {"signed": True}
    assert json.loads(by_arn["Payload"].read()) == "pong"
    assert "SigV4-signed with AWS_ACCESS_KEY_ID invoke-key" in exposed_server.log()


@pytest.mark.parametrize(
    ("key_id", "secret", "error_type"),
    [
        ("invoke-key", "not-the-secret", "InvalidSignatureException"),
        ("someone-else", "invoke-secret", "UnrecognizedClientException"),
    ],
)
def test_with_invoke_api_a_request_signed_otherwise_is_refused(
    exposed_server, key_id, secret, error_type
):
    client = lambda_client_for(exposed_server, key_id, secret)

    with pytest.raises(ClientError) as refused:
        invoke(client, {"operation": "list"})

    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert refused.value.response["Error"]["Code"] == error_type


def test_with_invoke_api_an_unsigned_or_altered_request_is_refused(exposed_server):
    unsigned = exposed_server.request("POST", INVOCATIONS, b'{"operation": "list"}')
    signed = AWSRequest("POST", exposed_server.base + INVOCATIONS, data=b'{"operation": "ping"}')
    SigV4Auth(Credentials("invoke-key", "invoke-secret"), "lambda", REGION).add_auth(signed)
    altered = exposed_server.request(
        "POST", INVOCATIONS, b'{"operation": "list"}', dict(signed.headers.items())
    )

    assert unsigned.status == 403
    assert unsigned.json == {"Type": "User", "message": "Missing Authentication Token"}
    assert altered.status == 403
    assert altered.headers["x-amzn-errortype"] == "InvalidSignatureException"
    assert altered.json["message"].startswith("The request signature we calculated does not")
