"""Where stackadmin keeps its data and where its packaged files (migrations, resources) are."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "stackadmin"
DB_ENV = "STACKADMIN_DB"
DATA_DIR_ENV = "STACKADMIN_DATA_DIR"

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir() -> Path:
    """The folder holding the default database and its backups (STACKADMIN_DATA_DIR overrides)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs  # here, not at import: `stackadmin` paints its window first

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_database_path() -> Path:
    return data_dir() / "stackadmin.sqlite"


def database_value(db: str | None = None) -> str | Path:
    """Where the data is: the `--db` value, else $STACKADMIN_DB, else the SQLite file in the
    data folder. A text with `://` is a database URL (returned as is); anything else a path
    to a SQLite file (returned absolute)."""
    value = db or os.environ.get(DB_ENV) or ""
    if "://" in value:
        return value
    return (Path(value).expanduser() if value else default_database_path()).resolve()


def _packaged_or_checkout(packaged: str, checkout: str) -> Path:
    # An installed wheel carries the folder inside the package; a source checkout
    # (editable install, running from the repo) has it at the top level.
    inside = _PACKAGE_DIR / packaged
    if inside.is_dir():
        return inside
    return _PACKAGE_DIR.parent / checkout


def migrations_dir() -> Path:
    return _packaged_or_checkout("_migrations", "migrations")


def resources_dir() -> Path:
    return _packaged_or_checkout("_resources", "resources")
