"""Run the Pulumi program under Pulumi's mocks, as the CLI would run a stack, and record it.

Neither the Pulumi CLI nor AWS is reachable, so :func:`run_program` does what the
CLI's Python language host does (config in, ``__main__.py`` run inside a root
stack) against a mock resource monitor. :class:`FakeAws`, a public
``pulumi.runtime.Mocks``, answers each registration the way the AWS provider
would (physical names, ARNs, the stage's invoke URL) and the one provider call
the program makes; :class:`RecordingMonitor` records what the program asked for:
type, name, inputs, parent, dependencies, and the stack's outputs, with the
secret ones marked. It and :class:`FakeEngine` extend Pulumi's mock monitor and
engine only where the public mocks API shows nothing, each saying what.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import json
import runpy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version
from pulumi.runtime import Mocks, rpc
from pulumi.runtime.mocks import MockEngine, MockMonitor

from function.registry import Registry
from infra.project import PROJECT_DIR
from infra.settings import project_name, stack_config, stack_settings


def pytest_configure(config: pytest.Config) -> None:
    # pulumi_aws deprecates a resource type we do not use as soon as its module is imported.
    config.addinivalue_line(
        "filterwarnings", "ignore:aws.lambda/microvmsimage.MicrovmsImage:DeprecationWarning"
    )


PROJECT = project_name()
ACCOUNT = "123456789012"
STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass
class Registered:
    """One resource the program registered, as the engine received it."""

    urn: str
    type: str
    name: str
    id: str
    inputs: dict[str, Any]
    state: dict[str, Any]
    parent: str
    dependencies: list[str]
    custom: bool
    protect: bool = False
    #: The URNs it may have had before (Pulumi ``aliases``), as the engine resolves them.
    aliases: list[str] = field(default_factory=list)
    #: The provider it is created with (``<provider URN>::<id>``); empty for the default one.
    provider: str = ""


@dataclass
class Deployment:
    """Everything one run of the program registered, and the stack's outputs."""

    stack: str
    config: dict[str, str]
    resources: list[Registered]
    outputs: dict[str, Any] = field(default_factory=dict)
    secret_outputs: frozenset[str] = frozenset()

    def of_type(self, token: str) -> list[Registered]:
        return [resource for resource in self.resources if resource.type == token]

    def one(self, token: str, name_suffix: str = "") -> Registered:
        """The single resource of a type (whose name ends with ``name_suffix``)."""
        found = [r for r in self.of_type(token) if r.name.endswith(name_suffix)]
        assert len(found) == 1, f"expected one {token} named *{name_suffix}, got {len(found)}"
        return found[0]

    def urn_of(self, resource_id: str, token: str) -> str:
        """The URN of the resource of this type whose physical id is ``resource_id``."""
        return next(r.urn for r in self.of_type(token) if r.id == resource_id)


class FakeAws(Mocks):
    """Answers registrations as the AWS provider would, deterministically.

    Auto-named resources get ``<name>-<7 hex>`` like Pulumi's auto-naming; ids and
    keys are derived from the stack and resource name, so the same program gives
    the same answers on every run.
    """

    AUTONAMED = frozenset(
        {
            "aws:dynamodb/table:Table",
            "aws:iam/role:Role",
            "aws:iam/rolePolicy:RolePolicy",
            "aws:cloudwatch/logGroup:LogGroup",
            "aws:lambda/function:Function",
            "aws:apigateway/apiKey:ApiKey",
            "aws:apigateway/usagePlan:UsagePlan",
            "aws:sns/topic:Topic",
        }
    )

    def __init__(self, stack: str, region: str) -> None:
        self.stack = stack
        self.region = region
        #: Each explicit AWS provider's region, by its name.
        self.provider_regions: dict[str, str] = {}

    def _token(self, name: str, length: int) -> str:
        return hashlib.sha256(f"{self.stack}/{name}".encode()).hexdigest()[:length]

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs = dict(args.inputs)
        kind, region = args.typ, self.region
        physical = inputs.get("name") or f"{args.name}-{self._token(args.name, 7)}"
        resource_id = self._token(args.name, 10)
        outputs: dict[str, Any] = {"name": physical} if kind in self.AUTONAMED else {}
        if kind == "pulumi:providers:aws":
            self.provider_regions[args.name] = inputs.get("region", "")
        elif kind == "aws:dynamodb/table:Table":
            resource_id = physical
            outputs["arn"] = f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{physical}"
        elif kind == "aws:iam/role:Role":
            resource_id = physical
            outputs["arn"] = f"arn:aws:iam::{ACCOUNT}:role/{physical}"
        elif kind == "aws:iam/rolePolicy:RolePolicy":
            resource_id = f"{inputs['role']}:{physical}"
        elif kind == "aws:cloudwatch/logGroup:LogGroup":
            resource_id = physical
            outputs["arn"] = f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{physical}"
        elif kind == "aws:lambda/function:Function":
            resource_id = physical
            arn = f"arn:aws:lambda:{region}:{ACCOUNT}:function:{physical}"
            outputs["arn"] = arn
            outputs["invokeArn"] = _invoke_arn(region, arn)
            # What Lambda answers: $LATEST, or the version a publishing update made.
            outputs["version"] = "1" if inputs.get("publish") else "$LATEST"
        elif kind == "aws:lambda/alias:Alias":
            arn = f"arn:aws:lambda:{region}:{ACCOUNT}:function:{inputs['functionName']}"
            outputs["arn"] = f"{arn}:{inputs['name']}"
            outputs["invokeArn"] = _invoke_arn(region, outputs["arn"])
        elif kind == "aws:apigateway/restApi:RestApi":
            outputs["executionArn"] = f"arn:aws:execute-api:{region}:{ACCOUNT}:{resource_id}"
        elif kind == "aws:apigateway/stage:Stage":
            api, stage = inputs["restApi"], inputs["stageName"]
            resource_id = f"ags-{api}-{stage}"
            outputs["invokeUrl"] = f"https://{api}.execute-api.{region}.amazonaws.com/{stage}"
            outputs["executionArn"] = f"arn:aws:execute-api:{region}:{ACCOUNT}:{api}/{stage}"
            outputs["arn"] = f"arn:aws:apigateway:{region}::/restapis/{api}/stages/{stage}"
        elif kind == "aws:apigatewayv2/api:Api":
            outputs["apiEndpoint"] = f"https://{resource_id}.execute-api.{region}.amazonaws.com"
            outputs["executionArn"] = f"arn:aws:execute-api:{region}:{ACCOUNT}:{resource_id}"
        elif kind == "aws:apigatewayv2/stage:Stage":
            api, stage = inputs["apiId"], inputs["name"]
            resource_id = stage
            # The $default stage's URL is the API's endpoint, with a slash.
            path = "" if stage == "$default" else stage
            outputs["invokeUrl"] = f"https://{api}.execute-api.{region}.amazonaws.com/{path}"
            outputs["executionArn"] = f"arn:aws:execute-api:{region}:{ACCOUNT}:{api}/{stage}"
        elif kind == "aws:apigateway/apiKey:ApiKey":
            outputs["value"] = self._token(f"{args.name}/value", 40)
        elif kind == "aws:sns/topic:Topic":
            outputs["arn"] = f"arn:aws:sns:{region}:{ACCOUNT}:{physical}"
        elif kind == "aws:cloudwatch/metricAlarm:MetricAlarm":
            outputs["arn"] = f"arn:aws:cloudwatch:{region}:{ACCOUNT}:alarm:{inputs['name']}"
        elif kind == "aws:acm/certificate:Certificate":
            outputs["arn"] = f"arn:aws:acm:{region}:{ACCOUNT}:certificate/{resource_id}"
            outputs["domainValidationOptions"] = [
                {
                    "domainName": inputs["domainName"],
                    "resourceRecordName": f"_{self._token(args.name, 32)}.{inputs['domainName']}.",
                    "resourceRecordType": "CNAME",
                    "resourceRecordValue": f"_{self._token(args.name, 24)}.acm-validations.aws.",
                }
            ]
        elif kind == "aws:route53/record:Record":
            outputs["fqdn"] = str(inputs["name"]).rstrip(".")
        elif kind == "aws:apigateway/domainName:DomainName":
            outputs["regionalDomainName"] = f"d-{resource_id}.execute-api.{region}.amazonaws.com"
            outputs["regionalZoneId"] = "Z1UJRXOUMOOFQ8"
        elif kind == "aws:wafv2/webAcl:WebAcl":
            outputs["arn"] = (
                f"arn:aws:wafv2:{region}:{ACCOUNT}:regional/webacl/{inputs['name']}/{resource_id}"
            )
        return resource_id, {**inputs, **outputs}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        if args.token == "aws:index/getRegion:getRegion":
            # What the provider the call went through was configured with.
            region = self.provider_regions.get(args.provider.split("::")[-2])
            assert region, f"getRegion went through {args.provider!r}, no configured provider"
            return {"region": region, "name": region, "id": region}, []
        raise AssertionError(f"the program made a provider call ({args.token}); none is expected")


def _invoke_arn(region: str, function_arn: str) -> str:
    """How API Gateway names a Lambda function (or alias) as an integration's URI."""
    path = f"2015-03-31/functions/{function_arn}/invocations"
    return f"arn:aws:apigateway:{region}:lambda:path/{path}"


class RecordingMonitor(MockMonitor):
    """Pulumi's mock monitor, also keeping what the public mocks API does not show.

    :meth:`FakeAws.new_resource` is given a :class:`~pulumi.runtime.MockResourceArgs`
    (type, name, inputs, provider, custom), and nothing else of the registration:
    not its parent (so not its URN), nor the dependencies the SDK worked out from
    its inputs and ``depends_on``, nor its ``protect`` or ``aliases``, all of which
    a snapshot records. Those are only in the ``RegisterResource`` request, read
    here. ``Mocks`` has no hook for ``RegisterResourceOutputs`` either, where the
    root stack's outputs arrive, the secret ones marked as the CLI receives them.
    (A resource transform sees the options but not the dependencies, and under
    mocks it is not run.) Like the engine, it refuses two resources with one URN.
    """

    def __init__(self, mocks: FakeAws) -> None:
        super().__init__(mocks)
        self.registered: list[Registered] = []
        self.stack_outputs: dict[str, Any] = {}

    def RegisterResource(self, request: Any) -> Any:
        if request.type == STACK_TYPE:
            return super().RegisterResource(request)
        urn = self.make_urn(request.parent, request.type, request.name)
        if any(existing.urn == urn for existing in self.registered):
            raise ValueError(f"Duplicate resource URN '{urn}'")
        response = super().RegisterResource(request)
        answer = self.get_registered_resources()[urn]
        self.registered.append(
            Registered(
                urn=urn,
                type=request.type,
                name=request.name,
                id=answer.id or "",
                inputs=_unwrap_secrets(rpc.deserialize_properties(request.object)),
                state=answer.state,
                parent=request.parent,
                dependencies=list(request.dependencies),
                custom=request.custom,
                protect=request.protect,
                aliases=self._alias_urns(request),
                provider=request.provider,
            )
        )
        return response

    def _alias_urns(self, request: Any) -> list[str]:
        """The URNs a registration's aliases name, resolved as the engine does.

        A spec leaves out what stays the same: the parent, the type and the name
        default to the resource's own.
        """
        found = list(request.aliasURNs)
        for alias in request.aliases:
            if alias.urn:
                found.append(alias.urn)
                continue
            spec = alias.spec
            parent = "" if spec.noParent else spec.parentUrn or request.parent
            found.append(
                self.make_urn(parent, spec.type or request.type, spec.name or request.name)
            )
        return found

    def RegisterResourceOutputs(self, request: Any) -> Any:
        if f"::{STACK_TYPE}::" in request.urn:
            # The last registration is the program's root stack's, as under the CLI.
            self.stack_outputs = rpc.deserialize_properties(request.outputs)
        return super().RegisterResourceOutputs(request)


class FakeEngine(MockEngine):
    """Pulumi's mock engine, also answering ``pulumi.require_pulumi_version`` as a CLI would.

    The mock engine only logs: the program's first line, ``require_pulumi_version``,
    would fail on it with an ``AttributeError``, and ``set_mocks`` takes no engine.
    Only the ``>=X.Y.Z`` ranges this project uses are understood.
    """

    def __init__(self, cli_version: str) -> None:
        super().__init__(None)
        self.cli_version = cli_version

    def RequirePulumiVersion(self, request: Any) -> None:
        wanted = request.pulumi_version_range
        if Version(self.cli_version) not in SpecifierSet(wanted):
            raise RuntimeError(
                f"Pulumi CLI version {self.cli_version} does not satisfy the version range "
                f'"{wanted}" requested by the program.'
            )


def _unwrap_secrets(value: Any) -> Any:
    value = rpc.unwrap_rpc_secret(value)
    if isinstance(value, dict):
        return {key: _unwrap_secrets(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unwrap_secrets(item) for item in value]
    return value


def cli_config(
    stack: str, overrides: Mapping[str, Any] | None = None, project_dir: Path = PROJECT_DIR
) -> dict[str, str]:
    """The stack's config as the CLI hands it to the program: qualified keys, string values.

    ``overrides`` are project keys (``authMode``) set as ``pulumi config set`` would;
    ``project_dir`` holds the ``Pulumi.yaml`` and stack file to read.
    """
    config = stack_config(stack, project_dir)
    for key, value in (overrides or {}).items():
        config[key if ":" in key else f"{PROJECT}:{key}"] = value
    return {key: _as_cli_string(value) for key, value in config.items()}


def with_needed_tables(stack: str, tables: Mapping[str, Any]) -> dict[str, Any]:
    """``tables`` (as a stack file writes them) and the stack's own tables its operations need.

    A test that gives a stack tables of its own keeps every registered operation
    served: an operation of the project that declares ``tables`` or ``indexes``
    would otherwise fail the program, whatever the test is about.
    """
    settings = stack_settings(stack)
    declared = stack_config(stack)[f"{PROJECT}:tables"]
    chosen = dict(tables)
    for operation in Registry(settings.operation_packages).all().values():
        needed = set(operation.tables or ())
        if operation.tables is None and operation.indexes:
            needed = {
                name
                for name, definition in settings.tables.items()
                if operation.serves(name, definition.index_names)
            }
        chosen.update({name: declared[name] for name in needed if name not in chosen})
    return chosen


def _as_cli_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def run_main() -> None:
    """What the language host runs: the project directory's ``__main__.py``."""
    runpy.run_path(str(PROJECT_DIR), run_name="__main__")


#: The Pulumi CLI the mocks pretend to be (the SDK's own version, as an up-to-date CLI has).
CLI_VERSION = "3.272.0"


def run_program(
    stack: str = "dev",
    overrides: Mapping[str, Any] | None = None,
    program: Callable[[], None] = run_main,
    cli_version: str = CLI_VERSION,
    project_dir: Path = PROJECT_DIR,
) -> Deployment:
    """Run ``program`` (the project's ``__main__.py``) for a stack under mocks; record it.

    The stack's files are read from ``project_dir``: a test's own stack file
    goes in a folder of its own, beside a copy of ``Pulumi.yaml``
    (:func:`write_stack_file`), never into the project, which other tests read.
    """
    config = cli_config(stack, overrides, project_dir)
    monitor = RecordingMonitor(FakeAws(stack, config["aws:region"]))
    # In a context of its own, so that no setting of this run outlives it.
    contextvars.copy_context().run(_run_in_stack, program, stack, config, monitor, cli_version)
    outputs = {key: rpc.unwrap_rpc_secret(value) for key, value in monitor.stack_outputs.items()}
    secret = frozenset(
        key for key, value in monitor.stack_outputs.items() if rpc.is_rpc_secret(value)
    )
    return Deployment(stack, config, monitor.registered, outputs, secret)


#: The event loop programs run on, one for all runs: the mock monitor gives each thread of
#: the loop's executor a loop of its own, which a new executor each run would leave behind.
PROGRAM_LOOP = asyncio.new_event_loop()


def _run_in_stack(
    program: Callable[[], None],
    stack: str,
    config: Mapping[str, str],
    monitor: RecordingMonitor,
    cli_version: str,
) -> None:
    """What the CLI's language host does, as Pulumi's automation API runs an inline program.

    ``set_mocks`` is not used: it takes no engine (:class:`FakeEngine`), and it
    makes a root stack of its own for tests that build resources directly,
    where a program runs inside its own (``run_in_stack``), as under the CLI.
    """
    pulumi.runtime.reset_options(project=PROJECT, stack=stack, preview=False)
    pulumi.runtime.configure(
        pulumi.runtime.Settings(
            project=PROJECT,
            stack=stack,
            monitor=monitor,
            engine=FakeEngine(cli_version),
            dry_run=False,
        )
    )
    pulumi.runtime.set_all_config(dict(config), [])
    try:
        PROGRAM_LOOP.run_until_complete(pulumi.runtime.run_in_stack(program))
    finally:
        # A program that fails leaves tasks waiting on outputs that will never resolve.
        pending = asyncio.all_tasks(PROGRAM_LOOP)
        for task in pending:
            task.cancel()
        if pending:
            PROGRAM_LOOP.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


#: A stack with every optional part on: what the constraint check and the snapshots cover.
EVERYTHING = "everything"
EVERYTHING_STACK_FILE = Path(__file__).parent / "stacks" / f"Pulumi.{EVERYTHING}.yaml"
#: The domain's other way: a certificate of the stack's own and no hosted zone.
EVERYTHING_OWN_CERTIFICATE = f"{EVERYTHING}-own-certificate"
OWN_CERTIFICATE = {
    "certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/"
    "0b6c7f5e-8d1a-4c3b-9e2f-5a6b7c8d9e0f",
    "hostedZoneId": "",
}


#: The same for an HTTP API (``apiType: http``), with what only HTTP APIs take (JWT).
EVERYTHING_HTTP = f"{EVERYTHING}-http"
EVERYTHING_HTTP_STACK_FILE = EVERYTHING_STACK_FILE.with_name(f"Pulumi.{EVERYTHING_HTTP}.yaml")


def run_everything(project_dir: Path, overrides: Mapping[str, Any] | None = None) -> Deployment:
    """The stack with every optional part on, its file written into ``project_dir``.

    Its tables are its own and those a user's operations need (as dev declares
    them), so an operation added to the project never fails this stack.
    """
    return run_test_stack(EVERYTHING_STACK_FILE, project_dir, overrides)


def run_everything_http(
    project_dir: Path, overrides: Mapping[str, Any] | None = None
) -> Deployment:
    """The HTTP API stack with every optional part on, its file written into ``project_dir``."""
    return run_test_stack(EVERYTHING_HTTP_STACK_FILE, project_dir, overrides)


def run_test_stack(
    stack_file: Path, project_dir: Path, overrides: Mapping[str, Any] | None = None
) -> Deployment:
    """A stack of ``tests/infra/stacks``, with the tables a user's operations need too."""
    stack = stack_file.name.removeprefix("Pulumi.").removesuffix(".yaml")
    config = yaml.safe_load(stack_file.read_text())["config"]
    tables = f"{PROJECT}:tables"
    config[tables] = with_needed_tables("dev", config[tables])
    write_stack_file(project_dir, stack, config)
    return run_program(stack, overrides, project_dir=project_dir)


def write_stack_file(project_dir: Path, stack: str, config: Mapping[str, Any]) -> Path:
    """``Pulumi.<stack>.yaml`` holding ``config``, beside a copy of the project's ``Pulumi.yaml``.

    What ``pulumi stack init`` and ``pulumi config set`` leave behind for a new stack.
    """
    (project_dir / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text())
    stack_file = project_dir / f"Pulumi.{stack}.yaml"
    stack_file.write_text(yaml.safe_dump({"config": dict(config)}, sort_keys=False))
    return stack_file


@pytest.fixture(scope="session")
def dev() -> Deployment:
    """The dev stack, as ``pulumi up`` would deploy it from Pulumi.yaml and Pulumi.dev.yaml."""
    return run_program("dev")


@pytest.fixture(scope="session")
def prod() -> Deployment:
    """The prod stack, as ``pulumi up`` would deploy it from Pulumi.yaml and Pulumi.prod.yaml."""
    return run_program("prod")


@pytest.fixture(scope="session")
def orders() -> Deployment:
    """The orders stack, as ``pulumi up`` would deploy it from its Pulumi.orders.yaml."""
    return run_program("orders")


@pytest.fixture(scope="session")
def everything(tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    """The stack with every optional part on, its certificate issued in its hosted zone."""
    return run_everything(tmp_path_factory.mktemp(EVERYTHING))


@pytest.fixture(scope="session")
def everything_own_certificate(tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    """The stack with every optional part on, with a certificate of its own."""
    return run_everything(tmp_path_factory.mktemp(EVERYTHING), OWN_CERTIFICATE)


@pytest.fixture(scope="session")
def everything_http(tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    """The HTTP API stack with every optional part on."""
    return run_everything_http(tmp_path_factory.mktemp(EVERYTHING_HTTP))


#: The runs the suite shares (session fixtures), by the name of what they deploy: REST APIs.
SESSION_RUNS = {
    "dev": "dev",
    "prod": "prod",
    "orders": "orders",
    EVERYTHING: "everything",
    EVERYTHING_OWN_CERTIFICATE: "everything_own_certificate",
}
#: The runs of HTTP API stacks the suite shares, likewise.
HTTP_RUNS = {EVERYTHING_HTTP: "everything_http"}


def deployment_of(name: str, request: pytest.FixtureRequest) -> Deployment:
    """The run of ``name``: the session's where the suite shares one, else a stack file's own."""
    fixture = SESSION_RUNS.get(name) or HTTP_RUNS.get(name)
    return request.getfixturevalue(fixture) if fixture else run_program(name)


@pytest.fixture(params=["dev", "prod"])
def stack(request: pytest.FixtureRequest) -> Deployment:
    """Each stack file's deployment (the session's dev or prod run)."""
    return request.getfixturevalue(request.param)
