"""Where stackadmin keeps its data and where its packaged files (migrations, resources) are."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "stackadmin"
DB_ENV = "STACKADMIN_DB"
DATA_DIR_ENV = "STACKADMIN_DATA_DIR"

_PACKAGE_DIR = Path(__file__).resolve().parent
# The data folder, the database and everything beside it hold people's names and emails:
# readable by their owner only, whatever the umask.
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


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


def make_private_folder(folder: Path) -> None:
    """Creates `folder` and any missing parents, each new one 0700 (existing ones stay as
    they are: a folder the user made is theirs to share)."""
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=PRIVATE_FOLDER)
        except FileExistsError:
            continue  # another process made it meanwhile
        os.chmod(path, PRIVATE_FOLDER)  # mkdir's mode is filtered by the umask


def create_private_file(path: Path) -> bool:
    """Creates an empty file readable by its owner only; False when it exists already."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    try:
        os.fchmod(fd, PRIVATE_FILE)  # os.open's mode is filtered by the umask too
    finally:
        os.close(fd)
    return True
