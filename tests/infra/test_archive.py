"""The code archive: exactly what runs in Lambda, the same files every build, and it works alone."""

from __future__ import annotations

import compileall
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pulumi
import pytest
import uv

from infra.api import asset_archive
from infra.archive import archive_files
from infra.project import PROJECT_DIR
from infra.settings import stack_settings
from infra.source_packages import SourcePackageError
from local_api.engines import Engine
from local_api.table import client_for, create_table
from tests.conftest import proxy_event
from tests.infra.conftest import Deployment

EVENTS = PROJECT_DIR / "tests" / "events"
FUNCTION = "aws:lambda/function:Function"
TABLE = "aws:dynamodb/table:Table"

#: Runs in the fresh interpreter: only the unpacked archive and the runtime's boto3 on its path.
SERVE_EVENTS = r"""
import importlib, importlib.metadata, importlib.util, json, sys

archive, runtime, lambda_context = sys.argv[1:4]
sys.path[:0] = [archive, runtime]

scans = []
for name in ("entry_points", "distributions", "distribution"):
    def scan(*args, _real=getattr(importlib.metadata, name), _name=name, **kwargs):
        scans.append(_name)
        return _real(*args, **kwargs)
    setattr(importlib.metadata, name, scan)

import function.handler, function.tables

spec = importlib.util.spec_from_file_location("lambda_context", lambda_context)
context_module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(context_module)

answers = [
    function.handler.handler(event, context_module.LambdaContext("archive-test"))
    for event in json.load(sys.stdin)
]
json.dump(
    {
        "answers": answers,
        "keys": json.loads(function.tables.encode_keys(function.tables.configured().keys)),
        "metadata_scans": scans,
        "botocore_version": sys.modules["botocore"].__version__,
        "loaded_from": {
            name: importlib.import_module(name).__file__
            for name in ("function.handler", "operations.create", "fastjsonschema", "botocore")
        },
        "importable": [
            name
            for name in ("moto", "pulumi", "pulumi_aws", "yaml", "infra", "tests", "local_api")
            if importlib.util.find_spec(name) is not None
        ],
    },
    sys.stdout,
)
"""


def deployed_files(deployment: Deployment) -> dict[str, Path | str]:
    """The archive exactly as the program handed it to the engine: entry name to file or text."""
    code = deployment.one(FUNCTION).inputs["code"]
    files: dict[str, Path | str] = {}
    for name, asset in code.assets.items():
        if isinstance(asset, pulumi.StringAsset):
            files[name] = asset.text
            continue
        path = Path(asset.path)
        assert path.is_absolute()
        assert path.is_file()
        files[name] = path
    return files


def unpack(files: dict[str, Path | str], destination: Path) -> Path:
    """What Lambda unpacks: every entry of the archive under ``destination``."""
    for name, source in files.items():
        (destination / name).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(source, str):
            (destination / name).write_text(source)
        else:
            shutil.copyfile(source, destination / name)
    return destination


def runtime_directory(destination: Path) -> Path:
    """A directory exposing boto3, botocore and their dependencies, as Lambda's runtime does."""
    destination.mkdir()
    pending, seen = ["boto3"], set()
    while pending:
        distribution = importlib.metadata.distribution(pending.pop())
        if distribution.metadata["Name"].lower() in seen:
            continue
        seen.add(distribution.metadata["Name"].lower())
        for requirement in distribution.requires or ():
            if ";" not in requirement:
                pending.append(re.match(r"[A-Za-z0-9._-]+", requirement)[0])
        for top in {PurePosixPath(entry.as_posix()).parts[0] for entry in distribution.files}:
            if top in ("..", "__pycache__") or top.endswith((".dist-info", ".data")):
                continue
            (destination / top).symlink_to(Path(str(distribution.locate_file(top))))
    return destination


#: The botocore versions the archive must run on, as the Lambda runtime provides it.
#: 1.35.0 (August 2024) is the oldest we support: older than any botocore the
#: python3.13 runtime, released in November 2024, can have shipped. 1.38.36 was
#: reported in python3.12 and python3.13 in 2025. "newest" is PyPI's latest today.
RUNTIME_BOTOCORE = ("1.35.0", "1.38.36", "newest")
RUNTIMES_DIR = PROJECT_DIR / "build" / "runtimes"


def botocore_runtime(version: str) -> Path:
    """A directory holding botocore ``version`` and its needs, as a Lambda runtime would."""
    destination = RUNTIMES_DIR / f"botocore-{version}"
    if version != "newest" and (destination / ".complete").exists():
        return destination
    shutil.rmtree(destination, ignore_errors=True)
    wanted = "botocore" if version == "newest" else f"botocore=={version}"
    installed = subprocess.run(
        [
            *(uv.find_uv_bin(), "pip", "install", "--quiet", "--python", sys.executable),
            *("--target", str(destination), wanted),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    (destination / ".complete").touch()
    return destination


@pytest.fixture(params=["locked", *RUNTIME_BOTOCORE])
def lambda_runtime(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Where the clean interpreter finds botocore: this environment's, or a version of it."""
    if request.param == "locked":
        return runtime_directory(tmp_path / "runtime")
    return botocore_runtime(request.param)


def tutorial_event(envelope_file: str) -> dict:
    """A REST API proxy event for POST /DynamoDBManager carrying one of the tutorial's bodies."""
    return proxy_event((EVENTS / envelope_file).read_text())


def test_the_deployed_archive_serves_the_tutorial_in_a_clean_interpreter(
    dev, tmp_path, lambda_runtime
):
    unpacked = unpack(deployed_files(dev), tmp_path / "code")
    runtime = lambda_runtime
    function = dev.one(FUNCTION).inputs
    tables = json.loads(function["environment"]["variables"]["TABLES"])
    flow = ["create", "read", "update", "list", "delete", "read", "echo", "ping"]

    with Engine() as dynamodb:
        definition = stack_settings("dev").tables["LambdaTable"]
        create_table(client_for(dynamodb.endpoint), tables["LambdaTable"], definition)
        served = subprocess.run(
            [
                *(sys.executable, "-I", "-S", "-c", SERVE_EVENTS),
                *(
                    str(unpacked),
                    str(runtime),
                    str(PROJECT_DIR / "local_api" / "lambda_context.py"),
                ),
            ],
            input=json.dumps([tutorial_event(f"{name}.json") for name in flow]),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={
                "PATH": os.environ.get("PATH", ""),
                **function["environment"]["variables"],
                "AWS_ENDPOINT_URL_DYNAMODB": dynamodb.endpoint,
                "AWS_REGION": "us-east-1",
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_CONFIG_FILE": os.devnull,
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            },
        )

    assert served.returncode == 0, served.stderr
    result = json.loads(served.stdout)
    answers = [(a["statusCode"], json.loads(a["body"])) for a in result["answers"]]
    created, read, updated, listed, deleted, read_again, echoed, pong = answers
    assert created == (200, {})
    assert read == (200, {"Item": {"Id": "1", "name": "Bob"}})
    assert updated[0] == 200
    assert updated[1]["Attributes"] == {"Id": "1", "name": "Alice"}
    assert listed[0] == 200
    assert listed[1]["Items"] == [{"Id": "1", "name": "Alice"}]
    assert deleted == (200, {})
    assert read_again[0] == 404
    assert echoed == (200, {"somekey1": "somevalue1", "somekey2": "somevalue2"})
    assert pong == (200, "pong")
    assert "TABLE_KEYS" not in function["environment"]["variables"]
    expected_keys = {
        name: d.key_schema.encode() for name, d in stack_settings("dev").tables.items()
    }
    assert result["keys"] == expected_keys, "the key schemas travel in the archive"
    assert result["metadata_scans"] == [], "the operation packages travel in it too"
    loaded_from = result["loaded_from"]
    assert loaded_from.pop("botocore").startswith(str(runtime))
    if runtime.name.startswith("botocore-1."):
        assert result["botocore_version"] == runtime.name.removeprefix("botocore-")
    assert all(path.startswith(str(unpacked)) for path in loaded_from.values())
    assert result["importable"] == []


def test_the_archive_holds_only_what_runs_in_lambda(dev):
    names = list(deployed_files(dev))
    version = importlib.metadata.version("fastjsonschema")  # The lock's: the environment is synced.
    settings = stack_settings("dev")
    plugins = list(settings.plugins)
    with_plugins = archive_files(["operations", *plugins], plugins=settings.plugins)
    ours = set(archive_files(["operations"]))

    # The installed plugins bring their packages and dependencies; the rest is the project's.
    assert set(names) == {
        *with_plugins,
        "function/operation_packages.json",
        "function/routes.json",
        "function/table_keys.json",
    }
    assert {PurePosixPath(n).parts[0] for n in ours} == {
        "function",
        "operations",
        "fastjsonschema",
        f"fastjsonschema-{version}.dist-info",
    }
    assert {
        "function/handler.py",
        "operations/create.py",
        "fastjsonschema/__init__.py",
        f"fastjsonschema-{version}.dist-info/METADATA",
        f"fastjsonschema-{version}.dist-info/licenses/LICENSE",
    } <= set(names)
    for entry in names:
        path = PurePosixPath(entry)
        assert "__pycache__" not in path.parts
        assert path.suffix != ".pyc"
        assert "tests" not in path.parts
        assert not path.name.startswith(("test_", "Pulumi", "requirements"))
        assert path.name not in ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json")
        assert path.name not in ("uv_cache.json", ".lock")
    assert not [n for n in names if n.startswith(("boto3/", "botocore/", "infra/", "bin/"))]


def test_the_engine_gets_the_same_sources_whatever_bytecode_tests_and_notes_lie_around(
    plugin_package, tmp_path
):
    package = plugin_package({"count": "from function.registry import operation\n"})
    package_dir = tmp_path / package
    first = asset_archive(archive_files(["operations", package]))

    compileall.compile_dir(package_dir, quiet=1)
    (package_dir / "stale.pyc").write_bytes(b"stale")
    (package_dir / "tests").mkdir()
    (package_dir / "tests" / "test_count.py").write_text("def test_count(): pass\n")
    (package_dir / "test_helpers.py").write_text("")
    (package_dir / "notes.md").write_text("not code\n")
    os.utime(package_dir / "count.py", (0, 0))
    assert list(package_dir.glob("__pycache__/*.pyc"))
    second = asset_archive(archive_files(["operations", package]))

    def sources(archive):
        return {name: asset.path for name, asset in archive.assets.items()}

    assert sources(second) == sources(first)
    assert [name for name in sources(second) if name.startswith(f"{package}/")] == [
        f"{package}/__init__.py",
        f"{package}/count.py",
    ]


def test_the_engine_gets_one_file_asset_per_entry():
    files = archive_files(["operations"])

    archive = asset_archive(files)

    assert list(archive.assets) == list(files)
    assert {name: Path(asset.path) for name, asset in archive.assets.items()} == files


def test_a_missing_operation_package_is_refused():
    with pytest.raises(SourcePackageError, match="'no_such_operations' is not an importable"):
        archive_files(["operations", "no_such_operations"])
