"""`make serve`'s API key: one per stack, the same after a restart, in the banner's curls.

orders has no ``authMode`` line, so it gets the default, an API key, locally as deployed.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from local_api import local_key
from local_api.cli import main
from tests.local.conftest import LocalServer, start_server


def banner_curls(server: LocalServer) -> list[list[str]]:
    """Each curl the banner prints, split as a shell would."""
    return [
        shlex.split(line.strip())
        for line in server.log().splitlines()
        if line.strip().startswith("curl ")
    ]


def sent_headers(curl: list[str]) -> dict[str, str]:
    """The headers a curl's ``-H`` options send."""
    pairs = [curl[at + 1] for at, part in enumerate(curl) if part == "-H"]
    return dict(pair.split(": ", 1) for pair in pairs)


def run_curl(server: LocalServer, curl: list[str]) -> int:
    """Send what ``curl`` would send (its URL, headers and body); the answer's status."""
    url = next(part for part in curl if part.startswith("http://"))
    path = url.removeprefix(server.base)
    return server.request("POST", path, curl[curl.index("-d") + 1], sent_headers(curl)).status


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def first_start(tmp_path: Path, data: Path) -> Iterator[LocalServer]:
    server = start_server(tmp_path, "--stack", "orders", data_dir=data)
    try:
        yield server
    finally:
        server.stop()


def test_the_banners_curls_carry_the_stacks_key_and_work_as_pasted(first_start):
    key = first_start.banner_key()
    curls = banner_curls(first_start)

    assert key is not None
    assert "auth: apiKey; send  x-api-key: " in first_start.log()
    assert curls
    assert all(sent_headers(curl)["x-api-key"] == key for curl in curls)
    ping = next(curl for curl in curls if json.loads(curl[-1])["operation"] == "ping")
    assert run_curl(first_start, ping) == 200
    assert first_start.post({"operation": "ping"}).status == 403


def test_the_key_is_kept_for_the_owner_only_and_is_the_same_after_a_restart(
    first_start, tmp_path, data
):
    key = first_start.banner_key()
    kept = data / "orders" / "api-key"
    assert first_start.stop() == 0

    assert kept.read_text().strip() == key
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert f"(kept in {kept})" in first_start.log()
    again = start_server(tmp_path, "--stack", "orders", data_dir=data)
    try:
        assert again.banner_key() == key
        assert again.post({"operation": "ping"}, **{"x-api-key": key}).json == "pong"
        assert all(sent_headers(curl)["x-api-key"] == key for curl in banner_curls(again))
    finally:
        again.stop()


def test_each_stack_has_its_own_key(tmp_path):
    data = tmp_path / "data"

    orders = local_key.kept_key(local_key.key_file(data, "orders"))
    prod = local_key.kept_key(local_key.key_file(data, "prod"))

    assert orders != prod
    assert local_key.kept_key(local_key.key_file(data, "orders")) == orders
    assert sorted(path.name for path in data.iterdir()) == ["orders", "prod"]


def test_the_key_file_is_never_readable_by_others_even_under_an_open_umask(tmp_path):
    path = local_key.key_file(tmp_path, "orders")
    previous = os.umask(0)
    try:
        local_key.kept_key(path)
    finally:
        os.umask(previous)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["api-key"]


def test_a_key_file_others_could_read_is_made_the_owners_only(tmp_path):
    path = local_key.key_file(tmp_path, "orders")
    path.parent.mkdir(parents=True)
    path.write_text("my-own-chosen-local-key\n")
    path.chmod(0o644)

    assert local_key.kept_key(path) == "my-own-chosen-local-key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_empty_key_file_stops_serve_with_one_line_naming_it(tmp_path, capsys):
    path = local_key.key_file(tmp_path / "data", "orders")
    path.parent.mkdir(parents=True)
    path.write_text("\n")

    status = main(
        ["serve", "--port", "0", "--stack", "orders", "--data-dir", str(tmp_path / "data")]
    )

    error = capsys.readouterr().err
    assert status == 2
    assert error.startswith(f"error: the API key file {path} holds no key")
    assert "delete it for a new one" in error


@pytest.mark.parametrize(
    ("content", "why"),
    [(b"\xff\xfe\n", "holds no key"), (b"k\x00ey\n", "holds no key"), (b"x" * 200, "holds no key")],
)
def test_a_key_no_header_could_carry_is_refused_naming_the_file(tmp_path, content, why):
    path = local_key.key_file(tmp_path, "orders")
    path.parent.mkdir(parents=True)
    path.write_bytes(content)

    with pytest.raises(local_key.LocalKeyError, match=why):
        local_key.kept_key(path)


def test_a_key_file_that_is_a_link_is_refused_and_its_target_left_alone(tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("not-a-key-file-content\n")
    target.chmod(0o644)
    path = local_key.key_file(tmp_path, "orders")
    path.parent.mkdir(parents=True)
    path.symlink_to(target)

    with pytest.raises(local_key.LocalKeyError, match="is a symbolic link"):
        local_key.kept_key(path)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
