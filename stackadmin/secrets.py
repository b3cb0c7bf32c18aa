"""Tokens live in the OS keyring only: never in the database, settings, logs or exports.

A backend is judged by what it is, not by its name: its class and every class it derives
from, and, for a backend that hands the work to others (keyring's ChainerBackend, which
`PYTHON_KEYRING_BACKEND` or an installed keyrings.alt makes the default; keyrings.alt's
MultipartKeyringWrapper), by the backends it would use. A chain is used for its OS keyrings
only; a token never reaches a file or nowhere because a chain also held such a backend.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import keyring
import keyring.errors

from stackadmin.errors import UserError

SERVICE = "stackadmin"
# Backends that would keep a token in a readable file, somewhere off this machine, or
# nowhere: refused, not used quietly. Matched against every class a backend derives from.
_REFUSED = frozenset({
    "keyrings.alt.file.PlaintextKeyring",
    "keyrings.alt.file_base.FileBacked",  # every file-backed keyrings.alt backend
    "keyrings.alt.Google.DocsKeyring",
    "keyring.backends.fail.Keyring",
    "keyring.backends.null.Keyring",
})


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _refused(backend: Any) -> bool:
    return any(_name(cls) in _REFUSED for cls in type(backend).__mro__)


def _members(backend: Any) -> list[Any] | None:
    """The backends a wrapper hands the work to, in the order it tries them, or None when the
    backend does the work itself."""
    chain = getattr(backend, "backends", None)  # keyring's ChainerBackend
    if isinstance(chain, list | tuple):
        return list(chain)
    inner = getattr(backend, "_keyring", None)  # keyrings.alt's MultipartKeyringWrapper
    if inner is not None and hasattr(inner, "set_password"):
        return [inner]
    return None


def _leaves(backend: Any, depth: int = 0) -> Iterable[Any]:
    """Every backend doing the work behind `backend` (itself when it is not a wrapper)."""
    members = _members(backend) if depth < 5 else None
    if members is None:
        yield backend
        return
    for member in members:
        yield from _leaves(member, depth + 1)


def describe(backend: Any) -> str:
    """'keyring.backends.chainer.ChainerBackend of keyrings.alt.file.PlaintextKeyring'."""
    name = _name(type(backend))
    members = _members(backend)
    if members is None:
        return name
    inner = ", ".join(describe(m) for m in members) or "no backend"
    return f"{name} of {inner}"


class SecretStore:
    """A thin wrapper so the keyring backend can be passed in (tests use a real one)."""

    def __init__(self, backend: Any | None = None) -> None:
        self._backend = backend

    @property
    def backend(self) -> Any:
        return self._backend if self._backend is not None else keyring.get_keyring()

    def _usable(self) -> list[Any]:
        """The backends a token may go to, in the order to try them. A chain: its members
        that are OS keyrings. Any other wrapper: itself, when all it wraps is acceptable.
        UserError when there is none."""
        backend = self.backend
        members = _members(backend)
        if members is not None and len(members) != 1:  # a chain (of any length but one)
            usable = [b for b in _leaves(backend) if not _refused(b)]
        else:
            judged = (backend, *_leaves(backend))
            usable = [] if any(_refused(b) for b in judged) else [backend]
        return usable or self._refuse(backend)

    @staticmethod
    def _refuse(backend: Any) -> list[Any]:
        raise UserError(
            "no system keyring is available (found " + describe(backend) + "); stackadmin "
            "keeps tokens only in the OS keyring (Secret Service, macOS Keychain, Windows "
            "Credential Manager). Start one, e.g. gnome-keyring, and try again."
        )

    def available(self) -> bool:
        """True when a real keyring is there to keep secrets (not a refused backend)."""
        try:
            self._usable()
        except UserError:
            return False
        return True

    def set(self, ref: str, secret: str) -> None:
        if not secret:
            raise UserError("the token is empty")
        try:
            for backend in self._usable():
                try:
                    backend.set_password(SERVICE, ref, secret)
                    return
                except NotImplementedError:
                    continue  # as a chain does: the next one takes it
        except keyring.errors.KeyringError as exc:
            raise UserError(f"the keyring refused to store the token: {exc}") from exc
        raise UserError("no keyring backend could store the token")

    def get(self, ref: str) -> str | None:
        try:
            for backend in self._usable():
                value = backend.get_password(SERVICE, ref)
                if value is not None:
                    return str(value)
        except keyring.errors.KeyringError as exc:
            raise UserError(f"the keyring could not be read: {exc}") from exc
        return None

    def delete(self, ref: str) -> None:
        for backend in self._usable():
            try:
                backend.delete_password(SERVICE, ref)
            except (keyring.errors.PasswordDeleteError, NotImplementedError):
                continue  # not there: already gone
            except keyring.errors.KeyringError as exc:
                raise UserError(f"the keyring could not delete the token: {exc}") from exc
