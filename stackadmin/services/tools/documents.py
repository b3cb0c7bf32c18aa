"""A tool's documents: files the user chooses (contract, order form, security review...),
copied into the data folder and recorded with their size and SHA-256; each addition and
removal audited.

The copies live in `<data folder>/documents/tool-<id>/`, folders readable by the user alone
(0700) and files too (0600): contracts are confidential. The database keeps each file's path
relative to that folder, so the data folder can move. With a shared PostgreSQL database the
records are shared, the files stay on the computer that added them: `DocumentRow.present`
says whether this computer has the file (with the recorded size).
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from sqlalchemy import select

from stackadmin import paths
from stackadmin.domain.values import optional_text, parse_choice
from stackadmin.domain.vocab import DocumentKind
from stackadmin.errors import NotFoundError, UserError, ValidationError
from stackadmin.services.context import ServiceContext
from stackadmin.services.crud import add_audited, delete_audited, get_or_404
from stackadmin.services.records import by_name
from stackadmin.store.models import Tool, ToolDocument

FIELDS = ("tool_id", "kind", "title", "file_name", "stored_path", "size_bytes", "sha256")
FOLDER = "documents"
MAX_BYTES = 512 * 1024 * 1024  # a contract scan, not a disk image
_CHUNK = 1024 * 1024
_UNSAFE = re.compile(r'[\x00-\x1f<>:"/\\|?*]+')


@dataclass(frozen=True, slots=True)
class DocumentRow:
    id: int
    tool_id: int
    tool: str
    kind: str
    title: str
    file_name: str
    size_bytes: int
    sha256: str
    added_by: str
    added_at: datetime
    path: Path  # where the copy is on this computer
    present: bool  # the copy is there, with the recorded size


def documents_root(root: Path | None = None) -> Path:
    """Where the copies are kept: `<data folder>/documents` unless a root is given."""
    return root if root is not None else paths.data_dir() / FOLDER


def _private_folder(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)  # also when it existed with wider rights


def safe_file_name(name: str) -> str:
    """A file name that is safe in any folder on any system: no separators, no control
    or reserved characters, not empty, at most 150 characters (keeping the extension). A
    name whose bytes are not UTF-8 (a Latin-1 name: the system hands it over with bytes it
    could not decode, which no database stores) is read as Latin-1."""
    raw = os.fsencode(Path(name).name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    clean = unicodedata.normalize("NFC", text)
    clean = _UNSAFE.sub("_", clean).strip(" .") or "document"
    stem, dot, ext = clean.rpartition(".")
    if not dot:
        stem, ext = clean, ""
    if len(clean) > 150:
        clean = stem[: 150 - len(ext) - 1] + (f".{ext}" if ext else "")
    return clean


def _free_name(folder: Path, name: str) -> str:
    """`name`, or `name (2)`, `name (3)`... the first not taken in the folder."""
    candidate = Path(name)
    n = 1
    while (folder / candidate.name).exists():
        n += 1
        candidate = Path(f"{Path(name).stem} ({n}){Path(name).suffix}")
    return candidate.name


def _copy_private(source: Path, target: Path) -> tuple[int, str]:
    """Copies to a new file readable by the user alone; (size, SHA-256). The target must
    not exist (O_EXCL: two copies at once never write the same file)."""
    digest = hashlib.sha256()
    size = 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                 0o600)
    try:
        with source.open("rb") as src, os.fdopen(fd, "wb") as out:
            fd = -1
            while chunk := src.read(_CHUNK):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise UserError(f"{source.name} is larger than {MAX_BYTES // 2**20} MB: "
                                    "keep it where it is and add a smaller summary")
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(target, 0o600)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        target.unlink(missing_ok=True)
        raise
    return size, digest.hexdigest()


def _row(d: ToolDocument, tool: str, root: Path) -> DocumentRow:
    path = resolve(root, d.stored_path)
    try:
        present = path.is_file() and path.stat().st_size == d.size_bytes
    except OSError:
        present = False
    return DocumentRow(d.id, d.tool_id, tool, d.kind, d.title, d.file_name, d.size_bytes,
                       d.sha256, d.added_by, d.added_at, path, present)


def resolve(root: Path, stored_path: str) -> Path:
    """The copy's place under the documents folder; a stored path that would lead out of
    it (a tampered row) is refused."""
    relative = PurePosixPath(stored_path)
    if relative.is_absolute() or ".." in relative.parts:
        raise UserError(f"the document path '{stored_path}' is not inside the documents folder")
    return root.joinpath(*relative.parts)


def add_document(ctx: ServiceContext, tool_id: int, source: str | Path, *, kind: str,
                 title: str | None = None, root: Path | None = None) -> DocumentRow:
    """Copies `source` into the tool's documents folder and records it (audited). Nothing
    is kept when anything fails: no row without its file, no file without its row."""
    kind_value = parse_choice(kind, DocumentKind, "document kind")
    file = Path(source).expanduser()
    if not file.is_file():
        raise ValidationError(f"{file} is not a file" if file.exists()
                              else f"{file} does not exist")
    name = safe_file_name(file.name)
    label = optional_text(title, "title", 200) or Path(name).stem
    base = documents_root(root)
    with ctx.read() as session:
        tool_name = get_or_404(session, Tool, tool_id, "tool").name
    folder_name = f"tool-{tool_id}"
    folder = base / folder_name
    try:
        _private_folder(base)
        _private_folder(folder)
        stored_name = _free_name(folder, name)
        target = folder / stored_name
        size, sha = _copy_private(file, target)
    except PermissionError:
        raise UserError(f"{file} cannot be read, or {folder} written: permission denied"
                        ) from None
    except FileExistsError:
        raise UserError(f"another document named {name} was added at the same moment: "
                        "try again") from None
    except OSError as exc:
        raise UserError(f"{file.name} could not be copied into {folder}: "
                        f"{exc.strerror or exc}") from None
    try:
        with ctx.transaction() as session:
            get_or_404(session, Tool, tool_id, "tool")
            document = ToolDocument(tool_id=tool_id, kind=kind_value, title=label,
                                    file_name=name, stored_path=f"{folder_name}/{stored_name}",
                                    size_bytes=size, sha256=sha, added_by=ctx.actor)
            add_audited(session, ctx, document, entity="tool_document",
                        label=f"{kind_value.replace('_', ' ')} '{label}' of {tool_name}",
                        fields=FIELDS)
            return _row(document, tool_name, base)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def list_documents(ctx: ServiceContext, *, tool_id: int | None = None,
                   root: Path | None = None) -> list[DocumentRow]:
    """A tool's documents (every tool's without `tool_id`), by tool, kind and title: names
    in the order of the tools list, the same on every engine (not the database's collation)."""
    base = documents_root(root)
    query = select(ToolDocument, Tool.name).join(Tool, Tool.id == ToolDocument.tool_id)
    if tool_id is not None:
        query = query.where(ToolDocument.tool_id == tool_id)
    with ctx.read() as session:
        rows = [_row(document, tool_name, base)
                for document, tool_name in session.execute(query)]
    return sorted(rows, key=lambda r: (by_name(r.tool), r.tool_id, r.kind, by_name(r.title), r.id))


def get_document(ctx: ServiceContext, document_id: int, *,
                 root: Path | None = None) -> DocumentRow:
    query = (select(ToolDocument, Tool.name).join(Tool, Tool.id == ToolDocument.tool_id)
             .where(ToolDocument.id == document_id))
    with ctx.read() as session:
        found = session.execute(query).first()
        if found is None:
            raise NotFoundError(f"there is no document with id {document_id}")
        return _row(found[0], found[1], documents_root(root))


def document_file(ctx: ServiceContext, document_id: int, *, root: Path | None = None) -> Path:
    """The copy to open; a UserError in words when this computer does not have it."""
    row = get_document(ctx, document_id, root=root)
    if not row.path.is_file():
        raise UserError(f"the file of '{row.title}' is not on this computer ({row.path}); "
                        f"{row.added_by} added it: with a shared database, each computer "
                        "keeps the files it added")
    if not row.present:
        raise UserError(f"the file of '{row.title}' at {row.path} is not the one that was "
                        f"added ({row.size_bytes:,} bytes were recorded)")
    return row.path


def remove_document(ctx: ServiceContext, document_id: int, *,
                    root: Path | None = None) -> DocumentRow:
    """Forgets the document (audited) and deletes its copy in the data folder; the user's
    own file, wherever it came from, is never touched."""
    row = get_document(ctx, document_id, root=root)
    with ctx.transaction() as session:
        document = get_or_404(session, ToolDocument, document_id, "document")
        delete_audited(session, ctx, document, entity="tool_document",
                       label=f"{row.kind.replace('_', ' ')} '{row.title}' of {row.tool}",
                       fields=FIELDS)
    row.path.unlink(missing_ok=True)
    return row
