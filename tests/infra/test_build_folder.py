"""A build folder is seen whole or not at all: killed, raced or damaged, it never ships in part."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from infra.build_folder import BuildFolderError, built_once


def slow_build(calls: list[str]):
    def build(scratch: Path) -> None:
        calls.append(threading.current_thread().name)
        (scratch / "pkg").mkdir(parents=True)
        (scratch / "pkg" / "a.py").write_text("A = 1\n")
        time.sleep(0.2)  # Both builds are under way before either is renamed into place.
        (scratch / "pkg" / "b.py").write_text("B = 2\n")

    return build


def test_two_builds_at_once_both_get_the_whole_folder(tmp_path):
    folder, calls, seen = tmp_path / "cache" / "key", [], {}

    def run(name: str) -> None:
        seen[name] = built_once(folder, slow_build(calls))

    threads = [threading.Thread(target=run, args=(name,), name=name) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(calls) == 1, "the second waited for the first, then found its folder whole"
    assert (
        seen["one"]
        == seen["two"]
        == {"pkg/a.py": folder / "pkg/a.py", "pkg/b.py": folder / "pkg/b.py"}
    )
    assert not list(folder.parent.glob(".partial-*")), "no scratch folder is left"


def test_a_build_that_fails_midway_leaves_nothing_and_the_next_one_builds(tmp_path):
    folder = tmp_path / "key"

    def failing(scratch: Path) -> None:
        scratch.mkdir()
        (scratch / "half.py").write_text("")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        built_once(folder, failing)
    assert not folder.exists()
    assert not list(tmp_path.glob(".partial-*"))
    killed = tmp_path / ".partial-key-x1y2z3" / "out"  # As a kill -9 midway leaves it.
    killed.mkdir(parents=True)
    (tmp_path / ".partial-other-x1y2z3").mkdir()  # Another folder's build, maybe running.

    assert set(built_once(folder, slow_build([]))) == {"pkg/a.py", "pkg/b.py"}
    assert [path.name for path in tmp_path.glob(".partial-*")] == [".partial-other-x1y2z3"]


def test_a_whole_folder_is_not_built_again_but_a_damaged_one_is(tmp_path):
    folder, calls = tmp_path / "key", []
    built_once(folder, slow_build(calls))
    built_once(folder, slow_build(calls))
    assert len(calls) == 1

    (folder / "pkg" / "b.py").write_text("B = 3\n")  # Edited by hand, to the same size.
    rebuilt = built_once(folder, slow_build(calls))

    assert len(calls) == 2
    assert rebuilt["pkg/b.py"].read_text() == "B = 2\n"


def test_a_damaged_folder_that_cannot_be_removed_is_an_error_never_shipped(tmp_path, monkeypatch):
    folder = tmp_path / "key"
    built_once(folder, slow_build([]))
    (folder / "pkg" / "b.py").write_text("")

    def refuse(path, *args, **kwargs):
        raise PermissionError(13, "Operation not permitted", str(path))

    monkeypatch.setattr("shutil.rmtree", refuse)
    with pytest.raises(
        BuildFolderError, match=r"key is incomplete or damaged and cannot be rebuilt"
    ):
        built_once(folder, slow_build([]))


@pytest.mark.parametrize("record", ["[]", "null", "{", "[" * 100_000 + "]" * 100_000])
def test_a_folder_whose_record_is_not_a_record_is_rebuilt(tmp_path, record):
    folder, calls = tmp_path / "key", []
    built_once(folder, slow_build(calls))
    (folder / ".digests.json").write_text(record)

    assert set(built_once(folder, slow_build(calls))) == {"pkg/a.py", "pkg/b.py"}
    assert len(calls) == 2


def test_a_symlink_in_place_of_the_folder_is_replaced_not_followed(tmp_path):
    elsewhere, folder = tmp_path / "elsewhere", tmp_path / "key"
    built_once(elsewhere, slow_build([]))
    folder.symlink_to(elsewhere)

    files = built_once(folder, slow_build([]))

    assert not folder.is_symlink()
    assert all(folder in path.parents for path in files.values())
    assert (elsewhere / "pkg" / "a.py").is_file(), "what the link pointed to is left alone"
