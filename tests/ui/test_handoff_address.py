"""The address the window open on a database listens at (stackadmin.ui.handoff's
instance_address, from stackadmin.paths): one per user, sandbox and database, the same
however the database is spelled, and telling nothing of any of them."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from stackadmin import paths
from stackadmin.ui.handoff import instance_address


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private runtime folder, short enough for a socket path (pytest's are not)."""
    folder = Path(tempfile.mkdtemp(prefix="sa-run-"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    yield folder
    shutil.rmtree(folder)


def test_the_same_database_however_spelled_has_one_address(
        tmp_path: Path, runtime: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "stack.sqlite"
    db.touch()
    (tmp_path / "link.sqlite").symlink_to(db)
    monkeypatch.chdir(tmp_path)
    spellings = [str(db), "stack.sqlite", "./sub/../stack.sqlite", str(tmp_path / "link.sqlite"),
                 f"sqlite:///{db}", "sqlite:///stack.sqlite"]
    (tmp_path / "sub").mkdir()
    assert len({instance_address(s) for s in spellings}) == 1
    monkeypatch.setenv(paths.DB_ENV, str(db))
    assert instance_address(None) == instance_address(str(db))


def test_the_default_database_is_the_data_folder_s_file(runtime: Path) -> None:
    assert instance_address(None) == \
        instance_address(str(paths.default_database_path()))


def test_two_databases_have_two_addresses(tmp_path: Path, runtime: Path) -> None:
    addresses = {instance_address(str(tmp_path / "a.sqlite")),
                 instance_address(str(tmp_path / "b.sqlite")),
                 instance_address("postgresql+psycopg://ops@db.example/stack"),
                 instance_address("postgresql+psycopg://ops@db.example/other"),
                 instance_address("postgresql+psycopg://ops@db.example:5433/stack"),
                 instance_address("postgresql+psycopg://admin@db.example/stack")}
    assert len(addresses) == 6


def test_a_server_url_is_the_same_database_whatever_its_password_or_driver(runtime: Path) -> None:
    urls = ["postgresql+psycopg://ops:s3cret@DB.example/stack",
            "postgresql://ops:other@db.example/stack",
            "postgresql+psycopg://ops@db.example/stack",
            "postgresql+psycopg://ops@db.example/stack?password=s3cret"]
    assert len({instance_address(u) for u in urls}) == 1
    identity = paths.database_identity(urls[0])
    assert identity is not None and "s3cret" not in identity


def test_the_address_reveals_neither_the_path_nor_the_user_nor_a_secret(
        tmp_path: Path, runtime: Path) -> None:
    db = tmp_path / "acme-finance.sqlite"
    for value in (str(db), "postgresql+psycopg://ops:s3cret@db.example/acme"):
        address = instance_address(value)
        assert address is not None
        folder, name = os.path.split(address)
        assert folder == str(runtime)
        assert name.startswith("stackadmin-") and len(name) == len("stackadmin-") + 32
        assert all(c in "0123456789abcdef" for c in name.removeprefix("stackadmin-"))


def test_a_sandbox_of_its_own_never_meets_the_user_s_window(
        tmp_path: Path, runtime: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test or a benchmark points HOME or the data folder elsewhere: same database file,
    another address, so it is never handed to the window the user has open."""
    db = str(tmp_path / "stack.sqlite")
    before = instance_address(db)
    home = os.environ["HOME"]
    monkeypatch.setenv("HOME", str(tmp_path / "other-home"))
    after_home = instance_address(db)
    monkeypatch.setenv("HOME", home)  # the sandbox's guard wants its own back
    assert after_home != before
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path / "other-data"))
    assert instance_address(db) not in (before, after_home)


def test_an_in_memory_database_has_no_address() -> None:
    assert instance_address("sqlite://") is None
    assert instance_address("sqlite:///:memory:") is None


def test_a_runtime_folder_others_can_enter_is_not_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "run"
    shared.mkdir()
    shared.chmod(0o755)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(shared))
    address = instance_address(str(tmp_path / "stack.sqlite"))
    assert address is not None
    assert os.path.dirname(address) == tempfile.gettempdir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", "relative/run")
    assert os.path.dirname(instance_address(str(tmp_path / "x")) or "") == \
        tempfile.gettempdir()
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755  # looked at, never changed


def test_a_runtime_folder_too_deep_for_a_socket_path_gives_way_to_the_temp_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deep = tmp_path / ("d" * 80)
    deep.mkdir()
    deep.chmod(0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(deep))
    address = instance_address(str(tmp_path / "stack.sqlite"))
    assert address is not None and len(address) <= 103
    assert os.path.dirname(address) == tempfile.gettempdir()


def test_the_default_database_is_named_without_asking_where_the_data_folder_is(
        tmp_path: Path) -> None:
    """platformdirs costs ~5 ms to import, and the address is made before the first paint:
    it is asked only for a file that may be the data folder's own (of its name)."""
    env = {k: v for k, v in os.environ.items() if k != paths.DATA_DIR_ENV}
    probe = ("import sys; from stackadmin import paths; paths.instance_key({!r}); "
             "print('platformdirs' in sys.modules)")
    asked: dict[str | None, str] = {}
    for db in (None, str(tmp_path / "finance.sqlite"), str(tmp_path / "stackadmin.sqlite")):
        result = subprocess.run([sys.executable, "-c", probe.format(db)], env=env,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        asked[db] = result.stdout.strip()
    assert list(asked.values()) == ["False", "False", "True"]
