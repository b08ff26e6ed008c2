"""The documentation's relative links lead somewhere inside the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from infra.project import PROJECT_DIR

DOCUMENTS = [PROJECT_DIR / "README.md", *sorted((PROJECT_DIR / "docs").glob("*.md"))]

#: ``[text](target)`` or ``[text](target "title")``; images (``![alt](src)``) too.
_LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
#: Fenced code blocks and inline code hold examples, not links.
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_EXTERNAL = re.compile(r"^(https?:|mailto:)", re.IGNORECASE)


def relative_links(text: str) -> list[str]:
    """The link targets of a markdown text that point at files, fragment removed."""
    prose = _INLINE_CODE.sub("", _FENCE.sub("", text))
    targets = []
    for target in _LINK.findall(prose):
        if _EXTERNAL.match(target) or target.startswith("#"):
            continue
        targets.append(target.split("#", 1)[0])
    return targets


def broken_links(document: Path) -> list[str]:
    """The relative links of ``document`` that leave the repository or lead nowhere."""
    broken = []
    for target in relative_links(document.read_text(encoding="utf-8")):
        resolved = (document.parent / target).resolve()
        if not resolved.is_relative_to(PROJECT_DIR) or not resolved.exists():
            broken.append(target)
    return broken


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(PROJECT_DIR)))
def test_relative_links_resolve_inside_the_repository(document: Path) -> None:
    broken = broken_links(document)
    assert not broken, (
        f"{document.relative_to(PROJECT_DIR)} links outside the repository or nowhere: {broken}"
    )


def test_the_readme_links_every_docs_page() -> None:
    linked = {
        (PROJECT_DIR / target).resolve()
        for target in relative_links((PROJECT_DIR / "README.md").read_text(encoding="utf-8"))
    }
    pages = {path.resolve() for path in DOCUMENTS[1:]}
    assert pages, "docs/ has no pages"
    assert pages - linked == set()


def test_links_are_found_and_judged() -> None:
    text = (
        "[a](docs/api.md#errors) [b](https://example.com) [c](#local) "
        "[d](mailto:x@example.com) `[e](nowhere.md)` [f](../outside.md)"
    )
    assert relative_links(text) == ["docs/api.md", "../outside.md"]


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    following = text.find("\n#", start + len(heading))
    return text[start : following if following >= 0 else len(text)]


def test_the_error_table_is_the_catalogue() -> None:
    """Every error the function answers is documented with its status, and nothing else is."""
    from function import errors

    table = _section(
        (PROJECT_DIR / "docs" / "api.md").read_text(), "### Errors the function answers"
    )
    documented = {
        (int(status), kind)
        for status, kind in re.findall(r"^\| (\d{3}) \| `(\w+)` \|", table, re.MULTILINE)
    }
    catalogue = {(kind.status, kind.__name__.removesuffix("Error")) for kind in errors.catalogue()}

    assert documented == catalogue | {(500, "InternalServerError")}


def test_the_bases_for_an_operations_own_errors_are_documented() -> None:
    from function import errors

    text = (PROJECT_DIR / "docs" / "api.md").read_text()
    bases = set(re.findall(r"`(\w+)` \((\d{3})\)", _section(text, "Operations add their own")))

    assert bases == {
        (base.__name__.removesuffix("Error"), str(base.status)) for base in errors.BASES
    }


#: The folders whose every module the architecture page's tree names.
TREE_FOLDERS = ("function", "function/dynamodb", "infra", "local_api", "bench")


def layout_tree() -> dict[str, str]:
    """The architecture page's tree: each path it names, with its description."""
    block = _section((PROJECT_DIR / "docs" / "architecture.md").read_text(), "## Layout")
    tree = block.split("```")[1]
    folders: list[str] = []
    named: dict[str, str] = {}
    for line in tree.splitlines():
        match = re.match(r"^([│ ]*)[├└]── (\S+)\s*(.*)$", line)
        if not match:
            continue
        depth = len(match[1]) // 4
        name = match[2].rstrip("/")
        del folders[depth:]
        path = "/".join([*folders, name])
        named[path] = match[3]
        if match[2].endswith("/"):
            folders.append(name)
    return named


def test_the_layout_tree_names_every_module_and_only_modules_that_exist() -> None:
    named = layout_tree()
    missing = [
        f"{folder}/{module.name}"
        for folder in TREE_FOLDERS
        for module in sorted((PROJECT_DIR / folder).glob("*.py"))
        if f"{folder}/{module.name}" not in named and module.name != "__init__.py"
    ]
    gone = [path for path in named if not (PROJECT_DIR / path).exists()]
    assert not missing, f"docs/architecture.md's tree lacks {missing}"
    assert not gone, f"docs/architecture.md's tree names what does not exist: {gone}"
    assert all(named[path] for path in named), "every entry of the tree says what it is"
