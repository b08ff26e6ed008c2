"""Dependencies point one way: the function and the local server never load Pulumi."""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

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


def test_the_pulumi_program_loads_nothing_of_the_local_server():
    """The local server reads the program's settings, never the reverse."""
    assert "local_api" not in loaded_by(modules_of("infra"))


def test_stack_settings_and_the_rest_api_shape_import_neither_pulumi_nor_botocore():
    """The local server reads them; they must stay cheap to import."""
    loaded = loaded_by(
        [
            *("infra.settings", "infra.table_definitions", "infra.rest_api", "infra.project"),
            "infra.resource_names",
        ]
    )

    assert {"pulumi", "pulumi_aws", "botocore", "boto3"}.isdisjoint(loaded)


#: The node for a package's own code, which runs when it is first imported (its functions
#: run later): what ``from package import module`` waits for.
LOADING = " (while it loads)"


def _run_time_imports(node: ast.AST, loading: bool = True) -> Iterator[tuple[ast.AST, bool]]:
    """Each import statement outside ``if TYPE_CHECKING:``, and whether it runs as the module
    loads (rather than in a function, later)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, loading
        elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            for branch in child.orelse:
                yield from _run_time_imports(ast.Module(body=[branch], type_ignores=[]), loading)
        else:
            in_function = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            yield from _run_time_imports(child, loading and not in_function)


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Which modules of ``package`` (under ``root``) each of its modules imports as it runs.

    ``import a.b`` and ``from a.b import x`` need the module ``a.b``. ``from a import b``
    needs the module ``a.b`` if there is one, and reads the package ``a`` once its own code
    has run: it depends on what ``a`` imports as it loads (``a (while it loads)``), not on
    what ``a``'s functions import later. A name ``a`` defines needs all of ``a``.
    """
    paths = {
        ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__"): path
        for path in (root / package).rglob("*.py")
    }
    packages = {name for name, path in paths.items() if path.name == "__init__.py"}
    graph: dict[str, set[str]] = {name: set() for name in paths}
    graph.update({name + LOADING: set() for name in packages})
    for name, path in paths.items():
        for node, loading in _run_time_imports(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                needed = {alias.name for alias in node.names} & paths.keys()
            else:
                base = node.module or ""
                if node.level:
                    anchor = name if name in packages else name.rpartition(".")[0]
                    anchor = anchor.rsplit(".", node.level - 1)[0]
                    base = f"{anchor}.{base}".rstrip(".")
                submodules = {f"{base}.{alias.name}" for alias in node.names} & paths.keys()
                needed = submodules | ({base + LOADING} if base in packages else set())
                if base in paths and len(submodules) < len(node.names):
                    needed.add(base)
            graph[name] |= needed - {name}
            if loading and name in packages:
                graph[name + LOADING] |= needed - {name, name + LOADING}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph``, as the nodes along it with the first repeated last."""
    done: set[str] = set()
    along: list[str] = []

    def visit(node: str) -> list[str] | None:
        along.append(node)
        for needed in sorted(graph[node]):
            if needed in along:
                loop = along[along.index(needed) :]
                first = loop.index(min(loop))  # the same cycle reads the same from any start
                return [*loop[first:], *loop[:first], loop[first]]
            if needed not in done and (cycle := visit(needed)) is not None:
                return cycle
        along.pop()
        done.add(node)
        return None

    for node in sorted(graph):
        if node not in done and (cycle := visit(node)) is not None:
            return cycle
    return None


def test_no_module_of_the_function_imports_itself_back_at_run_time():
    graph = import_graph(PROJECT_DIR, "function")

    cycle = find_cycle(graph)

    assert cycle is None, "import cycle in function/: " + " -> ".join(cycle or [])
    assert "function.registry" in graph["function.handler"]  # the graph sees imports...
    assert "function.registry" not in graph["function.invocation"]  # ...but not TYPE_CHECKING's


def test_a_package_loading_a_module_that_imports_it_back_is_a_cycle(tmp_path):
    """The shape function/dynamodb had: its __init__ imported bounded_client, which imported
    ``from function.dynamodb import confinement``. A package that imports only in a
    function (function/__init__'s ``operation``, on first use) is no cycle."""
    (tmp_path / "eager").mkdir()
    (tmp_path / "eager" / "__init__.py").write_text("from eager.client import client\n")
    (tmp_path / "eager" / "client.py").write_text("from eager import rules\nclient = 1\n")
    (tmp_path / "eager" / "rules.py").write_text("")
    (tmp_path / "lazy").mkdir()
    (tmp_path / "lazy" / "__init__.py").write_text(
        "def __getattr__(name):\n    from lazy.client import client\n    return client\n"
    )
    (tmp_path / "lazy" / "client.py").write_text("from lazy import rules\nclient = 1\n")
    (tmp_path / "lazy" / "rules.py").write_text("")

    assert find_cycle(import_graph(tmp_path, "eager")) == [
        "eager (while it loads)",
        "eager.client",
        "eager (while it loads)",
    ]
    assert find_cycle(import_graph(tmp_path, "lazy")) is None
