"""`stackadmin desktop-integration install|remove`: the freedesktop entry that hands
stackadmin:// links to the app, written under the (test's own) XDG_DATA_HOME, registered with
the real xdg-mime when it is installed, said in words when it is not; and the entry's Exec
line really starts the app with a link."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.cli.conftest import Run

MIME = "x-scheme-handler/stackadmin"


def _entry() -> dict[str, str]:
    path = Path(os.environ["XDG_DATA_HOME"]) / "applications" / "stackadmin.desktop"
    lines = path.read_text("utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if line)


def _split(line: str) -> list[str]:
    """The Exec key's quoting (Desktop Entry Specification): arguments split on spaces;
    inside double quotes a backslash escapes the next `"`, `` ` ``, `$` or backslash."""
    args: list[str] = []
    current: list[str] | None = None
    quoted = False
    chars = iter(line)
    for c in chars:
        if quoted:
            if c == "\\":
                current.append(next(chars))  # type: ignore[union-attr]
            elif c == '"':
                quoted = False
            else:
                current.append(c)  # type: ignore[union-attr]
        elif c == " ":
            if current is not None:
                args.append("".join(current))
                current = None
        else:
            current = current if current is not None else []
            if c == '"':
                quoted = True
            else:
                current.append(c)
    assert not quoted, line
    if current is not None:
        args.append("".join(current))
    return args


def _exec_args(exec_line: str, link: str) -> list[str]:
    """The Exec line as a desktop runs it: string escapes, then quoting, %% and %u."""
    args = _split(exec_line.replace("\\\\", "\\"))
    assert args[-1] == "%u"
    return [a.replace("%%", "%") for a in args[:-1]] + [link]


def test_install_writes_the_entry_and_registers_it(run: Run) -> None:
    done = run("desktop-integration", "install", db=None)
    assert done.code == 0, done.err
    entry = _entry()
    path = Path(os.environ["XDG_DATA_HOME"]) / "applications" / "stackadmin.desktop"
    assert done.out.splitlines()[0] == f"wrote {path}"
    assert entry["Type"] == "Application" and entry["Name"] == "stackadmin"
    assert entry["MimeType"] == f"{MIME};"
    assert entry["Exec"].endswith(" gui %u") and entry["Terminal"] == "false"
    program = _exec_args(entry["Exec"], "")[0]
    assert Path(program).is_absolute() and os.access(program, os.X_OK)
    assert Path(entry["Icon"]).is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    if shutil.which("xdg-mime") is None:
        if os.environ.get("CI"):
            pytest.fail("CI installs xdg-utils: xdg-mime should be here")
        return
    assert f"registered as the default handler of {MIME}" in done.out
    query = subprocess.run(["xdg-mime", "query", "default", MIME], capture_output=True,
                           text=True, timeout=30, check=True)
    assert query.stdout.strip() == "stackadmin.desktop"

    # Remove: the entry and the registration go; another program's line stays.
    listing = Path(os.environ["XDG_CONFIG_HOME"]) / "mimeapps.list"
    listing.write_text(listing.read_text("utf-8") + "x-scheme-handler/mailto=mutt.desktop\n",
                       "utf-8")
    gone = run("desktop-integration", "remove", db=None)
    assert gone.code == 0, gone.err
    assert not path.exists()
    assert f"removed {path}" in gone.out and "no longer the handler" in gone.out
    text = listing.read_text("utf-8")
    assert MIME not in text and "x-scheme-handler/mailto=mutt.desktop" in text
    again = run("desktop-integration", "remove", db=None)
    assert again.code == 0 and f"no {path} to remove" in again.out


def test_without_xdg_mime_it_says_so(run: Run, tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    done = run("desktop-integration", "install", db=None, env={"PATH": str(empty)})
    assert done.code == 0, done.err
    assert "xdg-mime is not installed, so the entry is not registered" in done.out
    assert _entry()["MimeType"] == f"{MIME};"
    assert not (Path(os.environ["XDG_CONFIG_HOME"]) / "mimeapps.list").exists()


def test_the_entry_opens_its_database_and_its_exec_line_starts_the_app(
        run: Run, tmp_path: Path) -> None:
    db = tmp_path / "odd 100% $name's" / "stack.sqlite"
    db.parent.mkdir()
    assert run("demo", db=str(db)).code == 0
    done = run("desktop-integration", "install", db=str(db))
    assert done.code == 0, done.err
    args = _exec_args(_entry()["Exec"], "stackadmin://renewals?term_id=1")
    assert args[-4:] == ["--db", str(db), "gui", "stackadmin://renewals?term_id=1"]
    started = subprocess.run(args, capture_output=True, text=True, timeout=120,
                             env={**os.environ, "QT_QPA_PLATFORM": "offscreen",
                                  "STACKADMIN_EXIT_WHEN_READY": "1"},
                             stdin=subprocess.DEVNULL)
    assert started.returncode == 0, started.stderr
    assert "Traceback" not in started.stderr


def test_a_database_url_with_a_password_is_not_written_into_the_entry(run: Run) -> None:
    done = run("desktop-integration", "install",
               db="postgresql+psycopg://admin:s3cret@db.example/stack")
    assert done.code == 1
    assert done.err.startswith("stackadmin: error: the database URL holds a password")
    assert "s3cret" not in done.err
    assert not (Path(os.environ["XDG_DATA_HOME"]) / "applications").exists()


def test_exec_arguments_are_quoted_as_the_desktop_entry_spec_says() -> None:
    from stackadmin import desktop

    assert desktop.exec_argument("/opt/stack admin/bin/stackadmin") == \
        '"/opt/stack admin/bin/stackadmin"'
    assert desktop.exec_argument('a"b$c`d\\e') == '"a\\\\"b\\\\$c\\\\`d\\\\\\\\e"'
    assert desktop.exec_argument("100%") == "100%%"
    assert desktop.exec_argument("/usr/bin/stackadmin") == "/usr/bin/stackadmin"
