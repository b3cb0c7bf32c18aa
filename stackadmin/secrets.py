"""Tokens live in the OS keyring only: never in the database, settings, logs or exports."""

from __future__ import annotations

from typing import Any

import keyring
import keyring.errors

from stackadmin.errors import UserError

SERVICE = "stackadmin"
# Backends that would keep a token in a readable file or nowhere: refused, not used quietly.
_REFUSED = ("keyrings.alt.file.PlaintextKeyring", "keyring.backends.fail.Keyring",
            "keyring.backends.null.Keyring")


class SecretStore:
    """A thin wrapper so the keyring backend can be passed in (tests use a real one)."""

    def __init__(self, backend: Any | None = None) -> None:
        self._backend = backend

    @property
    def backend(self) -> Any:
        return self._backend if self._backend is not None else keyring.get_keyring()

    def _checked(self) -> Any:
        backend = self.backend
        name = f"{type(backend).__module__}.{type(backend).__qualname__}"
        if name in _REFUSED:
            raise UserError(
                "no system keyring is available (found " + name + "); stackadmin keeps tokens "
                "only in the OS keyring (Secret Service, macOS Keychain, Windows Credential "
                "Manager). Start one, e.g. gnome-keyring, and try again."
            )
        return backend

    def available(self) -> bool:
        """True when a real keyring is there to keep secrets (not a refused backend)."""
        try:
            self._checked()
        except UserError:
            return False
        return True

    def set(self, ref: str, secret: str) -> None:
        if not secret:
            raise UserError("the token is empty")
        try:
            self._checked().set_password(SERVICE, ref, secret)
        except keyring.errors.KeyringError as exc:
            raise UserError(f"the keyring refused to store the token: {exc}") from exc

    def get(self, ref: str) -> str | None:
        try:
            value = self._checked().get_password(SERVICE, ref)
        except keyring.errors.KeyringError as exc:
            raise UserError(f"the keyring could not be read: {exc}") from exc
        return None if value is None else str(value)

    def delete(self, ref: str) -> None:
        try:
            self._checked().delete_password(SERVICE, ref)
        except keyring.errors.PasswordDeleteError:
            return  # already gone
        except keyring.errors.KeyringError as exc:
            raise UserError(f"the keyring could not delete the token: {exc}") from exc
