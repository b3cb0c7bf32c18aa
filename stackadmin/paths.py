"""Where stackadmin keeps its data and where its packaged files (migrations, resources) are."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

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


DEFAULT_DATABASE_NAME = "stackadmin.sqlite"


def default_database_path() -> Path:
    return data_dir() / DEFAULT_DATABASE_NAME


def database_value(db: str | None = None) -> str | Path:
    """Where the data is: the `--db` value, else $STACKADMIN_DB, else the SQLite file in the
    data folder. A text with `://` is a database URL (returned as is); anything else a path
    to a SQLite file (returned absolute)."""
    value = db or os.environ.get(DB_ENV) or ""
    if "://" in value:
        return value
    return (Path(value).expanduser() if value else default_database_path()).resolve()


DEFAULT_IDENTITY = "default"


def sqlite_url_file(value: str) -> Path | None:
    """The file a sqlite:/// URL names (sqlite:///relative.db, sqlite:////absolute.db, as
    SQLAlchemy spells them); Path("") for an in-memory database; None for any other URL."""
    parts = urlsplit(value)
    if parts.scheme.lower().partition("+")[0] != "sqlite":
        return None
    file = unquote(parts.path[1:])
    if not file or file == ":memory:" or "mode=memory" in parts.query:
        return Path("")
    return Path(file).expanduser().resolve()


def database_identity(db: str | None = None) -> str | None:
    """What tells the database `db` opens from another, within one data folder: a SQLite
    file's resolved path (given as a path or as a sqlite:/// URL), a server URL without its
    password and driver; DEFAULT_IDENTITY for the data folder's own file, which is told
    without asking platformdirs where the data folder is (a start pays that import before
    its first paint otherwise). None for an in-memory database, no two processes share one."""
    value = db or os.environ.get(DB_ENV) or ""
    if not value:
        return DEFAULT_IDENTITY
    if "://" not in value:
        return _file_identity(Path(value))
    file = sqlite_url_file(value)
    if file is not None:
        return _file_identity(file) if file.name else None
    parts = urlsplit(value)
    scheme = parts.scheme.lower().partition("+")[0]
    user_info, _at, host = parts.netloc.rpartition("@")
    user = user_info.partition(":")[0]
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if k.lower() != "password")
    return f"{scheme}://{unquote(user)}@{host.lower()}{parts.path}?{urlencode(query)}"


def _file_identity(path: Path) -> str:
    resolved = path.expanduser().resolve()
    # Only a file of the default name can be the data folder's own: only then is it worth
    # asking where that is.
    if resolved.name == DEFAULT_DATABASE_NAME and resolved == default_database_path().resolve():
        return DEFAULT_IDENTITY
    return f"file:{resolved}"


# A Unix socket's path must fit in sun_path: 104 bytes on macOS, 108 on Linux, NUL included.
_SOCKET_PATH_MAX = 103


def _private_runtime_dir() -> str | None:
    """$XDG_RUNTIME_DIR when it is the user's own folder, closed to everyone else (as the
    XDG spec asks): a socket there cannot be squatted or reached by another user."""
    folder = os.environ.get("XDG_RUNTIME_DIR", "")
    if not folder or not os.path.isabs(folder) or not hasattr(os, "getuid"):
        return None
    try:
        info = os.stat(folder)
    except OSError:
        return None
    if info.st_uid != os.getuid() or info.st_mode & 0o077 or not os.path.isdir(folder):
        return None
    return folder


def instance_key(db: str | None = None) -> str | None:
    """What tells this user's window on the database `db` from any other (the text that
    stackadmin.ui.handoff hashes into the window's address): the user, their home and data
    folder, and the database's identity. A test's or a benchmark's sandbox (a HOME or data
    folder of its own) so never reaches the user's window. None for an in-memory database."""
    identity = database_identity(db)
    if identity is None:
        return None
    if hasattr(os, "getuid"):
        user = str(os.getuid())
    else:
        import getpass

        user = getpass.getuser()
    return "\0".join((user, str(Path.home()), os.environ.get(DATA_DIR_ENV, ""),
                      os.environ.get("XDG_DATA_HOME", ""), identity))


def socket_path(name: str) -> str | None:
    """Where the local socket called `name` goes: on Unix a path in the user's private
    runtime folder when there is one, else in the temp folder (None when neither is short
    enough for a socket's path); on Windows the name itself (a pipe's)."""
    if os.name == "nt":
        return name
    import tempfile

    for folder in (_private_runtime_dir, tempfile.gettempdir):  # the second only if needed
        path = os.path.join(folder() or "", name)
        if os.path.isabs(path) and len(os.fsencode(path)) <= _SOCKET_PATH_MAX:
            return path
    return None


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
