"""Bug reports keep the exception types, the stack and the SQL text, never people's names or
emails; the user sees one line. Against the real engines (--pg-url for PostgreSQL, whose
driver quotes the row's values in its message)."""

from __future__ import annotations

import argparse
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from stackadmin import crashlog, paths
from stackadmin.cli import main
from stackadmin.cli.commands import settings as settings_command
from stackadmin.services.context import ServiceContext
from stackadmin.store.models import Person

NAME, EMAIL = "Ada Lovelace-Byron", "ada.lovelace@example.com"


def _duplicate_person(ctx: ServiceContext) -> IntegrityError:
    with ctx.transaction() as session:
        session.add(Person(email=EMAIL, name=NAME))
    with pytest.raises(IntegrityError) as raised, ctx.transaction() as session:
        session.add(Person(email=EMAIL, name=NAME))
    return raised.value


def test_a_database_error_is_reported_without_the_row_values(ctx: ServiceContext) -> None:
    exc = _duplicate_person(ctx)
    assert EMAIL in str(exc.orig) or "UNIQUE" in str(exc.orig)  # the raw error is chatty
    report = crashlog.format_report(exc)
    assert "INSERT INTO person" in report  # the SQL text stays
    assert "IntegrityError" in report and "Traceback (most recent call last)" in report
    assert EMAIL not in report and NAME not in report and "ada.lovelace" not in report
    assert "sqlalche.me" not in report
    line = crashlog.one_line(exc)
    assert "\n" not in line and EMAIL not in line and line.startswith("IntegrityError: ")


def test_emails_in_other_messages_are_masked() -> None:
    try:
        raise KeyError(f"no person {EMAIL} in the list")
    except KeyError as exc:
        report = crashlog.format_report(exc)
    assert EMAIL not in report and "<email>" in report


def test_the_cli_says_one_line_and_logs_the_rest_privately(
        ctx: ServiceContext, db_url: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug inside a command (here: an unexpected database error)."""
    exc = _duplicate_person(ctx)

    def broken(_args: argparse.Namespace) -> int:
        raise exc

    monkeypatch.setattr(settings_command, "_list", broken)
    old = os.umask(0o022)
    try:
        assert main(["--db", db_url, "settings", "list"]) == 1
    finally:
        os.umask(old)
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("stackadmin: internal error (IntegrityError: ")
    assert "Background" not in err and EMAIL not in err and "Traceback" not in err
    log = paths.data_dir() / "logs" / "crash.log"
    assert str(log) in err
    text = log.read_text()
    assert "INSERT INTO person" in text and EMAIL not in text and NAME not in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700


def test_a_chain_is_printed_oldest_first(tmp_path: Path) -> None:
    try:
        try:
            raise ValueError("the first")
        except ValueError as first:
            raise RuntimeError("the second") from first
    except RuntimeError as exc:
        report = crashlog.format_report(exc)
    assert report.index("ValueError: the first") < report.index("direct cause") < \
        report.index("RuntimeError: the second")


def test_the_app_log_masks_email_addresses_in_messages_and_tracebacks() -> None:
    import logging

    from stackadmin import app, paths

    root = logging.getLogger()
    before = list(root.handlers)
    app._log_to_file()
    added = [h for h in root.handlers if h not in before]
    try:
        try:
            raise ValueError("no seat for maya.petrov@example.com")
        except ValueError:
            logging.getLogger("stackadmin.ui.tasks").error(
                "background job %r failed for ben@example.org", "sync", exc_info=True)
    finally:
        for handler in added:
            handler.close()
            root.removeHandler(handler)
    text = (paths.data_dir() / "logs" / "stackadmin.log").read_text(encoding="utf-8")
    assert "background job 'sync' failed for <email>" in text
    assert "ValueError: no seat for <email>" in text  # the traceback, masked too
    assert "@example" not in text
