"""A tool's documents: copied into the data folder readable by the user alone, recorded with
size and checksum, audited, and never half-kept."""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from stackadmin import paths
from stackadmin.errors import NotFoundError, UserError, ValidationError
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import tools
from stackadmin.services.tools import documents
from stackadmin.store.models import ToolDocument


def _tool(ctx: ServiceContext, name: str = "Figma") -> int:
    return tools.create_tool(ctx, name=name).id


def _file(folder: Path, name: str, data: bytes = b"%PDF-1.7 the contract") -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _count(ctx: ServiceContext) -> int:
    with ctx.read() as session:
        return session.scalar(select(func.count()).select_from(ToolDocument)) or 0


def test_a_document_is_copied_into_the_data_folder_and_recorded(
        ctx: ServiceContext, tmp_path: Path) -> None:
    tool_id = _tool(ctx)
    source = _file(tmp_path, "Figma MSA.pdf")
    row = documents.add_document(ctx, tool_id, source, kind="contract", title="MSA 2026")
    root = paths.data_dir() / "documents"
    assert row.path == root / f"tool-{tool_id}" / "Figma MSA.pdf"
    assert row.path.read_bytes() == source.read_bytes() and row.present
    assert row.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert (row.kind, row.title, row.file_name, row.size_bytes) == (
        "contract", "MSA 2026", "Figma MSA.pdf", len(source.read_bytes()))
    assert source.exists()  # the user's own file stays where it was
    listed = documents.list_documents(ctx, tool_id=tool_id)
    assert [d.id for d in listed] == [row.id] and listed[0].tool == "Figma"
    event = audit.list_events(ctx, entity="tool_document")[0]
    assert event.action == "create" and "MSA 2026" in event.summary
    assert event.changes is not None and event.changes["sha256"] == [None, row.sha256]


@pytest.mark.skipif(sys.platform.startswith("win"), reason="POSIX file modes")
def test_the_folders_and_the_copy_are_readable_by_the_user_alone(
        ctx: ServiceContext, tmp_path: Path) -> None:
    tool_id = _tool(ctx)
    root = tmp_path / "data" / "documents"
    root.mkdir(parents=True, mode=0o755)
    os.chmod(root, 0o755)  # an existing folder with wider rights is narrowed
    old = os.umask(0o002)
    try:
        row = documents.add_document(ctx, tool_id, _file(tmp_path, "order.pdf"),
                                     kind="order form", root=root)
    finally:
        os.umask(old)
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert stat.S_IMODE(row.path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(row.path.stat().st_mode) == 0o600
    assert row.kind == "order_form"


def test_same_names_never_overwrite_each_other(ctx: ServiceContext, tmp_path: Path) -> None:
    tool_id = _tool(ctx)
    first = documents.add_document(ctx, tool_id, _file(tmp_path, "contract.pdf", b"one"),
                                   kind="contract")
    second = documents.add_document(ctx, tool_id, _file(tmp_path, "contract.pdf", b"two"),
                                    kind="contract")
    assert first.path != second.path and second.path.name == "contract (2).pdf"
    assert (first.path.read_bytes(), second.path.read_bytes()) == (b"one", b"two")


def test_odd_file_names_are_made_safe() -> None:
    assert documents.safe_file_name('re: "Q3" <draft>?.pdf') == "re_ _Q3_ _draft_.pdf"
    assert documents.safe_file_name("...") == "document"
    long = documents.safe_file_name("x" * 300 + ".pdf")
    assert len(long) == 150 and long.endswith(".pdf")


@pytest.mark.skipif(sys.platform == "win32", reason="file names are Unicode there")
def test_a_file_name_in_latin_1_is_added_under_its_letters(ctx: ServiceContext,
                                                           tmp_path: Path) -> None:
    """A file saved with a Latin-1 name (bytes that are not UTF-8, as an old share or a
    zip gives them) is copied and recorded as the name it means: it was an internal
    UnicodeEncodeError at the record."""
    source = Path(os.fsdecode(os.fsencode(tmp_path) + b"/r\xe9sum\xe9.pdf"))
    source.write_bytes(b"%PDF-1.7 latin")
    row = documents.add_document(ctx, _tool(ctx), source, kind="contract")
    assert row.file_name == "r\u00e9sum\u00e9.pdf" and row.path.read_bytes() == b"%PDF-1.7 latin"
    assert documents.list_documents(ctx)[0].present


def test_bad_input_is_refused_in_words_and_nothing_is_kept(
        ctx: ServiceContext, tmp_path: Path) -> None:
    tool_id = _tool(ctx)
    source = _file(tmp_path, "review.pdf")
    with pytest.raises(ValidationError, match="document kind must be one of contract"):
        documents.add_document(ctx, tool_id, source, kind="brochure")
    with pytest.raises(ValidationError, match="does not exist"):
        documents.add_document(ctx, tool_id, tmp_path / "missing.pdf", kind="contract")
    with pytest.raises(ValidationError, match="is not a file"):
        documents.add_document(ctx, tool_id, tmp_path, kind="contract")
    with pytest.raises(NotFoundError, match="no tool with id 999"):
        documents.add_document(ctx, 999, source, kind="contract")
    assert _count(ctx) == 0
    root = paths.data_dir() / "documents"
    assert not root.exists() or not any(root.rglob("*.pdf"))


def test_a_failed_record_leaves_no_copy_behind(ctx: ServiceContext, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    tool_id = _tool(ctx)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(documents, "add_audited", broken)
    with pytest.raises(RuntimeError):
        documents.add_document(ctx, tool_id, _file(tmp_path, "contract.pdf"), kind="contract")
    folder = paths.data_dir() / "documents" / f"tool-{tool_id}"
    assert list(folder.iterdir()) == []
    assert _count(ctx) == 0


def test_a_file_too_large_is_refused_and_its_partial_copy_removed(
        ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tool_id = _tool(ctx)
    monkeypatch.setattr(documents, "MAX_BYTES", 10)
    with pytest.raises(UserError, match="larger than"):
        documents.add_document(ctx, tool_id, _file(tmp_path, "scan.pdf", b"x" * 64),
                               kind="security review")
    assert list((paths.data_dir() / "documents" / f"tool-{tool_id}").iterdir()) == []


def test_removing_forgets_the_record_deletes_the_copy_and_audits(
        ctx: ServiceContext, tmp_path: Path) -> None:
    tool_id = _tool(ctx)
    source = _file(tmp_path, "contract.pdf")
    row = documents.add_document(ctx, tool_id, source, kind="contract")
    removed = documents.remove_document(ctx, row.id)
    assert removed.id == row.id and not row.path.exists() and source.exists()
    assert documents.list_documents(ctx) == []
    event = audit.list_events(ctx, entity="tool_document")[0]
    assert event.action == "delete" and event.entity_id == row.id
    with pytest.raises(NotFoundError, match="no document with id"):
        documents.remove_document(ctx, row.id)


def test_a_missing_or_changed_copy_is_said_in_words(ctx: ServiceContext,
                                                   tmp_path: Path) -> None:
    tool_id = _tool(ctx)
    row = documents.add_document(ctx, tool_id, _file(tmp_path, "contract.pdf"),
                                 kind="contract")
    assert documents.document_file(ctx, row.id) == row.path
    row.path.write_bytes(b"something else entirely")
    assert not documents.list_documents(ctx)[0].present
    with pytest.raises(UserError, match="is not the one that was added"):
        documents.document_file(ctx, row.id)
    row.path.unlink()
    with pytest.raises(UserError, match="not on this computer"):
        documents.document_file(ctx, row.id)


def test_a_stored_path_cannot_lead_out_of_the_documents_folder(tmp_path: Path) -> None:
    for bad in ("../secrets.txt", "/etc/passwd", "tool-1/../../x"):
        with pytest.raises(UserError, match="not inside the documents folder"):
            documents.resolve(tmp_path, bad)


def test_deleting_the_tool_deletes_its_document_records(ctx: ServiceContext,
                                                       tmp_path: Path) -> None:
    tool_id = _tool(ctx)
    documents.add_document(ctx, tool_id, _file(tmp_path, "contract.pdf"), kind="contract")
    tools.delete_tool(ctx, tool_id)
    assert _count(ctx) == 0
