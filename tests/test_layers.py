"""Dependencies point one way: the function and the local server never load Pulumi."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

from infra.project import PROJECT_DIR


def loaded_by(modules: list[str]) -> set[str]:
    """The top-level packages a fresh interpreter holds after importing ``modules``."""
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout))


def modules_of(*packages: str) -> list[str]:
    """Every module of the packages, subpackages included (``__main__`` aside: it runs)."""
    found = []
    for package in packages:
        found.append(package)
        for info in pkgutil.walk_packages([str(PROJECT_DIR / package)], f"{package}."):
            if not info.name.endswith(".__main__"):
                found.append(info.name)
    return found


def test_the_function_operations_and_local_server_import_no_pulumi():
    loaded = loaded_by(
        [
            *modules_of("function", "operations", "orders_ops", "local_api"),
            *("infra.grants", "infra.openapi"),
        ]
    )

    assert {"pulumi", "pulumi_aws"}.isdisjoint(loaded)


def test_stack_settings_and_the_rest_api_shape_import_neither_pulumi_nor_botocore():
    """The local server reads them; they must stay cheap to import."""
    loaded = loaded_by(
        [
            *("infra.settings", "infra.table_definitions", "infra.rest_api", "infra.project"),
            "infra.resource_names",
        ]
    )

    assert {"pulumi", "pulumi_aws", "botocore", "boto3"}.isdisjoint(loaded)
