"""`stackadmin gui --exit-when-ready`: exit 0 once the first page shows its data; exit 1 in
words (no traceback) when the database cannot be opened."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from stackadmin.services.context import ServiceContext


def _gui(db: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    return subprocess.run([sys.executable, "-m", "stackadmin", "gui", "--db", db,
                           "--exit-when-ready"], capture_output=True, text=True, timeout=120,
                          env=env)


@pytest.mark.usefixtures("sqlite_only")
def test_exits_0_when_the_first_page_is_ready(demo_ctx: ServiceContext, db_url: str,
                                              tmp_path: Path) -> None:
    demo_ctx.close()
    result = _gui(db_url, tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.usefixtures("sqlite_only")
def test_exits_1_in_words_on_a_database_from_a_newer_version(
        ui_ctx: ServiceContext, db_url: str, tmp_path: Path) -> None:
    ui_ctx.close()
    with sqlite3.connect(db_url) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    result = _gui(db_url, tmp_path)
    assert result.returncode == 1
    assert "stackadmin: error:" in result.stderr and "newer stackadmin" in result.stderr
    assert "Traceback" not in result.stderr


def test_exits_1_when_the_path_is_a_folder(tmp_path: Path) -> None:
    result = _gui(str(tmp_path), tmp_path)
    assert result.returncode == 1
    assert "is a folder" in result.stderr and "Traceback" not in result.stderr
