"""The test run never touches the real user's home: Qt, keyring and platformdirs all look in
a temporary folder."""

from __future__ import annotations

import os
from pathlib import Path

from stackadmin import paths
from tests.conftest import REAL_HOME, SESSION_HOME


def test_home_and_xdg_folders_are_temporary() -> None:
    home = Path.home().resolve()
    assert home != REAL_HOME
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        assert Path(os.environ[name]).resolve().is_relative_to(home), name


def test_the_data_folder_is_not_the_users() -> None:
    assert not paths.data_dir().resolve().is_relative_to(REAL_HOME)


def test_qt_settings_are_written_inside_the_session_home(qapp: object, tmp_path: Path) -> None:
    from PySide6.QtCore import QSettings, QStandardPaths

    location = Path(QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.GenericConfigLocation)).resolve()
    assert location.is_relative_to(Path.home().resolve()) or location.is_relative_to(SESSION_HOME)
    settings = QSettings("QtProject")  # what a file dialog writes its history to
    settings.setValue("probe", 1)
    settings.sync()
    written = Path(settings.fileName()).resolve()
    assert not written.is_relative_to(REAL_HOME), written
