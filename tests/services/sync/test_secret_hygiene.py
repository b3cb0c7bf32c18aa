"""The secret appears nowhere but in the keyring and the requests to the vendor: not in the
database, a file under the data folder, a log line, an error, a run record or an export."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from stackadmin import paths
from stackadmin.plugins.testing import Reply
from stackadmin.services.spreadsheets import exports
from stackadmin.services.sync import integrations
from tests.services.sync.conftest import SEATS, SECRET, Kit, dump, seat


def files_under(*folders: Path) -> list[Path]:
    return [p for folder in folders if folder.exists() for p in folder.rglob("*")
            if p.is_file()]


def test_the_secret_is_in_no_file_log_record_or_export(
        kit: Kit, tmp_path: Path, caplog: pytest.LogCaptureFixture, db_kind: str) -> None:
    caplog.set_level(logging.DEBUG)
    kit.serve_copilot([seat(n) for n in range(4)])
    kit.add()
    assert kit.sync().ok
    # The vendor echoes the token in its error body; a plugin crash would log a traceback.
    kit.vendor.add(SEATS, Reply.error(401, f"Bad credentials: token {SECRET} revoked"))
    failed = kit.sync()
    assert failed.error_kind == "auth" and "revoked" in (failed.error or "")
    kit.vendor.add(SEATS, Reply.unavailable(503, retry_after=1))
    assert kit.sync().error_kind == "unavailable"
    integrations.edit_integration(kit.ctx, "Copilot acme", secret=SECRET + "2",
                                  secrets=kit.secrets)
    out = paths.data_dir() / "exports"
    out.mkdir(parents=True, exist_ok=True)
    exports.export_finance(kit.ctx, out / "finance.csv")
    exports.export_seats(kit.ctx, out / "seats.csv")
    exports.export_access_review(kit.ctx, out / "access.csv")
    kit.ctx.close()  # the SQLite file and its WAL written out
    found = files_under(paths.data_dir(), tmp_path)
    assert any(p.suffix == ".csv" for p in found)
    if db_kind == "sqlite":
        assert any(p.name.startswith("stackadmin.sqlite") for p in found)
    for path in found:
        data = path.read_bytes()
        assert SECRET.encode() not in data, path
    assert SECRET not in caplog.text
    assert SECRET not in repr(dump(kit.ctx, ("integration", "sync_run", "audit_event",
                                             "account", "setting")))
    assert SECRET not in repr(failed)


def test_the_scan_would_see_a_leak(kit: Kit, tmp_path: Path) -> None:
    """The scan above is not blind: a secret written to the data folder is found."""
    (paths.data_dir() / "leak.txt").write_text(f"token={SECRET}", encoding="utf-8")
    assert any(SECRET.encode() in p.read_bytes() for p in files_under(paths.data_dir()))
