"""``python -m local_api``: serve the API locally, invoke the handler, scaffold an operation."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import sys
from collections.abc import Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from function.registry import OperationDefinitionError
from function.routes import RouteDefinitionError
from infra.grants import OperationRequirementError
from infra.project import PROJECT_DIR, shown
from infra.resource_names import function_resource_name
from infra.settings import Settings, SettingsError, stack_settings
from local_api import examples, local_key, scaffold, table
from local_api.cors import LOCAL_ORIGINS, function_origin
from local_api.engines import DATA_DIR, ENGINES, EngineError, data_folder
from local_api.environment import LocalStack, LocalStackError, local_stack

if TYPE_CHECKING:
    from function.registry import Operation
    from local_api.lambda_invoke import InvokeAccess

DEFAULT_PORT = 3000
#: How long a request may take under --debug: long enough to step through it.
DEBUG_TIMEOUT_SECONDS = 3600.0


class ServeOptionsError(ValueError):
    """``serve``'s options ask for something the environment does not give."""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    options = parser.parse_args(argv)
    try:
        return options.command(options)
    except (
        SettingsError,
        OperationRequirementError,
        EngineError,
        LocalStackError,
        table.SeedFileError,
        table.MissingTableError,
        table.TableMismatchError,
        scaffold.ScaffoldError,
        local_key.LocalKeyError,
        ServeOptionsError,
        RouteDefinitionError,
        OperationDefinitionError,
    ) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m local_api", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="command")

    serve = commands.add_parser("serve", help="serve the API over HTTP on an embedded DynamoDB")
    _stack_options(serve)
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT") or DEFAULT_PORT))
    serve.add_argument(
        "--reload",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="pick up changes to function/ and the operation packages on the next request "
        "(on by default; --no-reload turns it off)",
    )
    serve.add_argument(
        "--debug",
        action="store_true",
        help="for a debugger: one request at a time, no reload, the "
        "function's logs shown, and no deadline, so a breakpoint() can wait",
    )
    serve.add_argument(
        "--cors-origin",
        default=LOCAL_ORIGINS,
        help="origin allowed by CORS: by default pages on this machine (localhost, 127.0.0.1 "
        "or [::1], any port); one origin instead of those, '*' for any, or 'none' to turn "
        "CORS off",
    )
    serve.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests whose Host is NAME (any port), for containers and tunnels; "
        "repeatable ('*': any). Always answered: localhost, 127.0.0.1, [::1] and --host",
    )
    serve.add_argument(
        "--invoke-api",
        action="store_true",
        help="on a --host other than loopback, answer Lambda's Invoke API, to requests SigV4-"
        "signed with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY as set when the server starts "
        "(on loopback it is always on, unsigned)",
    )
    serve.add_argument(
        "--api-key",
        help="the x-api-key an apiKey stack requires (default: the stack's own, kept across "
        "restarts in DATA_DIR/STACK/api-key)",
    )
    serve.add_argument(
        "--verbose", action="store_true", help="also show the function's own log lines"
    )
    serve.add_argument(
        "--fresh",
        action="store_true",
        help="start with empty tables: forget the data kept from earlier runs of this stack",
    )
    serve.add_argument(
        "--data-dir",
        type=Path,
        default=DATA_DIR,
        help="where each stack's tables and local API key are kept across restarts "
        "(default .local/data, which git ignores)",
    )
    serve.set_defaults(command=_serve)

    invoke = commands.add_parser(
        "invoke", help="run one event through the handler and print the result"
    )
    _stack_options(invoke)
    invoke.add_argument(
        "--event", "-e", default="-", help="event file, direct or API Gateway shape ('-' for stdin)"
    )
    invoke.set_defaults(command=_invoke)

    described = commands.add_parser(
        "openapi", help="write the stack's OpenAPI document, generated from the registry"
    )
    described.add_argument(
        "--stack", default=os.environ.get("STACK") or "dev", help="stack whose API to describe"
    )
    described.add_argument(
        "--output",
        "-o",
        type=Path,
        help="where to write it (default openapi.json for dev, openapi.STACK.json for others; "
        "'-' for standard output)",
    )
    described.add_argument(
        "--check",
        action="store_true",
        help="write nothing; fail if a committed document differs from what the registry gives",
    )
    described.set_defaults(command=_openapi)

    new = commands.add_parser(
        "new-operation",
        help="create operations/NAME.py and its test, or with --stack in the stack's own package",
    )
    new.add_argument("name", help="the operation's name, e.g. count")
    new.add_argument(
        "--stack",
        help="write it into this stack's own package (the first of its operationPackages "
        "other than operations) and its test into tests/STACK/, which runs as that stack",
    )
    new.set_defaults(command=_new_operation)

    plugin = commands.add_parser(
        "new-plugin", help="create a plugin distribution: entry point, an operation and its tests"
    )
    plugin.add_argument("name", help="the distribution's name, e.g. acme-notes")
    plugin.add_argument("directory", type=Path, help="where to write it, e.g. ../acme-notes")
    plugin.set_defaults(command=_new_plugin)
    return parser


def _stack_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stack", default=os.environ.get("STACK") or "dev", help="stack whose settings to use"
    )
    parser.add_argument(
        "--dynamodb-endpoint",
        default=os.environ.get("AWS_ENDPOINT_URL_DYNAMODB"),
        help="use this DynamoDB (DynamoDB Local, LocalStack, AWS) instead of an embedded one",
    )
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default=os.environ.get("LOCAL_ENGINE") or "moto",
        help="the embedded DynamoDB: moto (default, Python only) or dynalite (Node.js; "
        "validates like DynamoDB, installed on first use)",
    )
    parser.add_argument(
        "--create-table",
        action="store_true",
        help="create the stack's tables on --dynamodb-endpoint where missing",
    )
    parser.add_argument(
        "--seed",
        type=Path,
        help="items to put in the tables at start: a JSON object of item lists per table "
        '({"Orders": [...]}), or one list for a single-table stack',
    )
    parser.add_argument(
        "--operations",
        help="comma-separated operation packages, instead of the stack's operationPackages",
    )


def _settings(options: argparse.Namespace) -> Settings:
    settings = stack_settings(options.stack)
    for warning in settings.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if options.operations:
        packages = tuple(part.strip() for part in options.operations.split(",") if part.strip())
        settings = settings.served(packages, settings.plugins, settings.warnings)
    return settings


def _local_stack(
    options: argparse.Namespace,
    settings: Settings,
    cors_origin: str | None = None,
    data: Path | None = None,
) -> AbstractContextManager[LocalStack]:
    """The DynamoDB, table and environment the stack options ask for."""
    return local_stack(
        options.stack,
        settings,
        dynamodb_endpoint=options.dynamodb_endpoint,
        create_table=options.create_table,
        seed=options.seed,
        cors_origin=cors_origin,
        engine=options.engine,
        data=data,
    )


def _kept_data(options: argparse.Namespace) -> Path | None:
    """The folder the engine keeps this stack's tables in; emptied first with ``--fresh``."""
    if options.dynamodb_endpoint:  # its default is $AWS_ENDPOINT_URL_DYNAMODB
        return None
    folder: Path = data_folder(options.data_dir, options.stack, options.engine)
    if options.fresh and folder.exists():
        shutil.rmtree(folder)
    return folder


def _serve(options: argparse.Namespace) -> int:
    from local_api.code import FUNCTION_PACKAGE, FunctionCode
    from local_api.docs_site import DocsSite
    from local_api.gateway import Gateway, StageConfig
    from local_api.host_check import AllowedHosts
    from local_api.lambda_invoke import TUTORIAL_FUNCTION, LambdaInvokeApi
    from local_api.server import WORKER_THREADS, AccessLog, http_server, wsgi_app

    settings = _settings(options)
    cors = None if options.cors_origin in ("none", "") else options.cors_origin
    api_key, key_origin = _api_key(options, settings)
    invoke_access = _invoke_access(options)
    # Ctrl-C and `kill` both stop cleanly, even where a shell started us with SIGINT ignored.
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, _exit_on_signal)
    if options.debug:
        options.reload = False
    if options.verbose or options.debug:
        # Lambda's runtime gives the function's loggers a handler; locally this does.
        if (os.environ.get("LOG_LEVEL") or "INFO").upper() != "DEBUG":
            os.environ["LOG_LEVEL"] = "INFO"
        shown = logging.StreamHandler(sys.stderr)
        shown.setFormatter(logging.Formatter("  function: %(levelname)s %(message)s"))
        logging.getLogger(FUNCTION_PACKAGE).addHandler(shown)
    else:
        os.environ["LOG_LEVEL"] = "WARNING"
    code = FunctionCode(settings.operation_packages, reload=options.reload)
    timeout = DEBUG_TIMEOUT_SECONDS if options.debug else settings.timeout
    config = StageConfig(
        stage_name=settings.stage_name,
        auth_mode=settings.auth_mode,
        api_key=api_key,
        cors_origin=cors,
        function_timeout_seconds=timeout,
        api_type=settings.api_type,
        routes=settings.routes,
        api_cors=bool(settings.cors_allow_origin),
    )
    endpoints = (
        DocsSite(settings, code, options.stack),
        LambdaInvokeApi(
            code,
            (TUTORIAL_FUNCTION, f"{function_resource_name()}-", function_resource_name()),
            timeout,
            invoke_access,
        ),
    )
    access_log = AccessLog()
    hosts = AllowedHosts.serving(options.host, options.allowed_host)
    # The port is taken before the database starts, so the two can never collide.
    try:
        server = http_server(
            options.host,
            options.port,
            wsgi_app(Gateway(config, code), access_log, endpoints, hosts),
            threads=1 if options.debug else WORKER_THREADS,
            access_log=access_log,
        )
    except OSError as error:
        print(
            f"error: cannot listen on {options.host}:{options.port}: {error.strerror}",
            file=sys.stderr,
        )
        return 2
    serving = False
    try:
        with _local_stack(
            options, settings, cors_origin=function_origin(cors), data=_kept_data(options)
        ) as stack:
            _banner(
                stack,
                server.port,
                options,
                api_key,
                key_origin,
                cors,
                invoke_access,
                code.operations,
            )
            serving = True
            server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close_all()
        if serving:
            print("Stopped.", file=sys.stderr)
    return 0


def _api_key(options: argparse.Namespace, settings: Settings) -> tuple[str | None, str]:
    """The x-api-key an ``apiKey`` stack requires, and where it comes from, for the banner.

    The stack's kept key unless ``--api-key`` names one, so the curls and clients
    set up with it keep working after a restart.
    """
    if settings.auth_mode != "apiKey":
        return None, ""
    if options.api_key:
        return options.api_key, "from --api-key"
    path = local_key.key_file(options.data_dir, options.stack)
    return local_key.kept_key(path), f"kept in {shown(path)}"


def _invoke_access(options: argparse.Namespace) -> InvokeAccess:
    """Who may use Lambda's Invoke API: anyone on loopback; elsewhere nobody, or signed requests.

    The key pair is the one the server is started with, read before the
    embedded DynamoDB replaces it with its own fake one.
    """
    from local_api.host_check import is_loopback
    from local_api.lambda_invoke import InvokeAccess
    from local_api.signature import SigningKey

    if is_loopback(options.host):
        return InvokeAccess()
    if not options.invoke_api:
        return InvokeAccess(
            off_because=f"Lambda's Invoke API is off on a server listening on {options.host}: "
            "start it with --invoke-api to answer requests SigV4-signed with its key pair"
        )
    key_id, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
    if not key_id or not secret:
        raise ServeOptionsError(
            f"--invoke-api on {options.host} checks each request's SigV4 signature: set "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to the key pair clients sign with"
        )
    return InvokeAccess(signing_key=SigningKey(key_id, secret))


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _banner(
    stack: LocalStack,
    port: int,
    options: argparse.Namespace,
    api_key: str | None,
    key_origin: str,
    cors: str | None,
    invoke_access: InvokeAccess,
    operations: Mapping[str, Operation],
) -> None:
    settings = stack.settings
    base = f"http://{options.host}:{port}"
    url = f"{base}/DynamoDBManager"
    database = stack.database
    engine = f"embedded DynamoDB ({database.engine})" if database.engine else "DynamoDB"
    kept = (
        f"kept in {shown(database.data)} (--fresh to start empty)"
        if database.data is not None
        else "not kept by this server"
    )
    http = settings.api_type == "http"
    # An HTTP API's $default stage is not in the URL; a REST API's stage is.
    staged = "" if http else f"   (also {base}/{settings.stage_name}/DynamoDBManager)"
    lines = [
        f"DynamoDBOperations, stack {stack.stack}, running on {base}",
        f"  POST {url}{staged}",
        _api_line(settings.api_type, settings.routes),
        f"  docs: {base}/docs   OpenAPI: {base}/openapi.json",
        _invoke_line(base, options, invoke_access),
        _hosts_line(options),
        f"  tables on {engine} at {stack.endpoint}, {kept}:",
        *(f"    {examples.describe(definition)}" for definition in settings.tables.values()),
        f"  operations: {', '.join(operations)}",
        f"  auth: {settings.auth_mode}"
        + (f"; send  x-api-key: {api_key}   ({key_origin})" if api_key else ""),
        f"  CORS: {_cors_shown(cors)}; "
        f"reload: {'on (--no-reload)' if options.reload else 'off'}"
        + ("; debug: one request at a time, no deadline" if options.debug else ""),
        "",
        "Try the operations' examples:",
    ]
    lines += [
        f"  {examples.curl(url, document, api_key)}"
        for _, document in examples.example_requests(settings, operations)
    ]
    if settings.auth_mode == "iam":
        lines.append(
            "  (iam: requests need an AWS SigV4 Authorization header; it is not verified locally)"
        )
    if settings.auth_mode == "jwt":
        lines.append(
            "  (jwt: requests need  Authorization: Bearer <token>  from "
            f"{settings.jwt_issuer}; the token is not verified locally, and its claims, "
            "read unverified, reach the function)"
        )
    if not database.features.transactions:
        lines.append(
            f"  {database.engine} has no transactions: transact-get and transact-write fail"
        )
    lines += [
        "",
        "Try the routes"
        + ("" if http else f" (also under {base}/{settings.stage_name}/...)")
        + ":",
        *examples.route_examples(settings, base, api_key, operations),
        "",
        "Ctrl-C to stop.",
    ]
    print("\n".join(lines), file=sys.stderr, flush=True)


def _api_line(api_type: str, routes: str) -> str:
    """What the stack deploys, and so what this server does: the API type and its routing."""
    if api_type == "http":
        kind = "HTTP API, $default stage, payload format 2.0 events"
        other = "any other path: its 404 Not Found"
        proxy = "routes: proxy (ANY /{proxy+}: every other path to the function, its 404)"
    else:
        kind = "REST API, payload 1.0 (proxy) events"
        other = "any other path: API Gateway's 403"
        proxy = "routes: proxy (/{proxy+}: every other path to the function, its 404)"
    listed = f"routes: listed (each route its own; {other})"
    return f"  API: {kind}; {proxy if routes == 'proxy' else listed}"


def _invoke_line(base: str, options: argparse.Namespace, access: InvokeAccess) -> str:
    command = (
        f"aws lambda invoke --endpoint-url {base} --function-name LambdaFunctionOverHttps "
        "--payload file://input.txt out.txt"
    )
    if access.off_because is not None:
        return f"  Lambda's Invoke API: off on {options.host} (--invoke-api turns it on, signed)"
    if access.signing_key is not None:
        return (
            "  Lambda's Invoke API, for requests SigV4-signed with AWS_ACCESS_KEY_ID "
            f"{access.signing_key.access_key_id} and its secret: {command}"
        )
    return f"  Lambda's Invoke API: {command}"


def _hosts_line(options: argparse.Namespace) -> str:
    """The Host names answered; off loopback, how clients elsewhere get answered."""
    from local_api.host_check import is_loopback

    names = ["localhost", "127.0.0.1", "[::1]"]
    if not is_loopback(options.host):
        names.append(options.host)
    names += [name for name in options.allowed_host if name not in names]
    line = f"  Host: {', '.join(names)} (any port)"
    if not is_loopback(options.host) and not options.allowed_host:
        line += "; clients elsewhere: add --allowed-host NAME for each name they use"
    return line


def _cors_shown(cors: str | None) -> str:
    if cors == LOCAL_ORIGINS:
        return "pages on this machine (localhost, 127.0.0.1 or [::1], any port)"
    return "any origin" if cors == "*" else cors or "off"


def _invoke(options: argparse.Namespace) -> int:
    from local_api.lambda_context import LambdaContext
    from local_api.lambda_invoke import UNHANDLED, invoke

    source = sys.stdin.read() if options.event == "-" else Path(options.event).read_text()
    try:
        event = json.loads(source)
    except ValueError as error:
        print(f"error: the event is not JSON: {error}", file=sys.stderr)
        return 2
    settings = _settings(options)
    with _local_stack(options, settings):
        from function.handler import handler

        _, headers, body = invoke(handler, event, LambdaContext("local-invoke", settings.timeout))
    print(body.decode())
    return 1 if UNHANDLED in headers else 0


def _openapi(options: argparse.Namespace) -> int:
    from infra import openapi

    if options.check:
        stale = openapi.stale_documents()
        for name, stack in stale.items():
            print(f"{name} is stale: run make openapi STACK={stack}", file=sys.stderr)
        return 1 if stale else 0
    text = openapi.dumps(openapi.stack_document(stack_settings(options.stack)))
    if str(options.output) == "-":
        sys.stdout.write(text)
        return 0
    output = options.output or PROJECT_DIR / openapi.committed_name(options.stack)
    output.write_text(text)
    print(f"wrote {shown(output)}", file=sys.stderr)
    return 0


def _new_plugin(options: argparse.Namespace) -> int:
    for path in scaffold.new_plugin(options.name, options.directory):
        print(f"created {path}")
    print(f"test it: cd {options.directory} && uv sync && uv run pytest")
    add = f"uv add --no-sync --group plugins --editable {options.directory}"
    print(f"serve it: {add} && make serve")
    return 0


def _new_operation(options: argparse.Namespace) -> int:
    from infra import openapi

    created = scaffold.new_operation(options.name, stack=options.stack)
    for path in created:
        print(f"created {path.relative_to(PROJECT_DIR)}")
    test = created[-1].relative_to(PROJECT_DIR).as_posix()
    if options.stack is None:
        print(f"run its test: make test ARGS={test}")
        print("then describe it: make openapi (the committed openapi.json lists every operation)")
        return 0
    print(f"run its test: make test ARGS={test} (its folder makes it run as {options.stack})")
    print(f"serve it: make serve STACK={options.stack}")
    new_packages = [
        path.parent.relative_to(PROJECT_DIR).as_posix().replace("/", ".")
        for path in created
        if path.name == "__init__.py" and path.parent.parent != PROJECT_DIR / "tests"
    ]
    for package in new_packages:
        print(
            f"{package} is a new package: list it in pyproject.toml beside operations "
            "([tool.hatch.build.targets.wheel] packages, [tool.mypy] files, "
            "[tool.ruff.lint.isort] known-first-party)"
        )
    if (PROJECT_DIR / openapi.committed_name(options.stack)).exists():
        print(f"then describe it: make openapi STACK={options.stack}")
    return 0
