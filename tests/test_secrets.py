"""Tokens go to a real OS keyring (Secret Service in CI), and nowhere else."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from stackadmin.errors import UserError
from stackadmin.secrets import SecretStore


@pytest.fixture
def real_backend(os_keyring: object) -> object:
    return os_keyring


def test_a_token_round_trips_through_the_os_keyring(real_backend: object) -> None:
    store = SecretStore(real_backend)
    ref = f"test-{uuid.uuid4().hex}"
    store.set(ref, "xoxb-not-a-real-token")
    try:
        assert store.get(ref) == "xoxb-not-a-real-token"
        files = [p for p in Path.home().rglob("*") if p.is_file()]
        assert not any("xoxb-not-a-real-token" in p.read_text(errors="replace")
                       for p in files)  # in the keyring, not in a file of the home folder
    finally:
        store.delete(ref)
    assert store.get(ref) is None


def test_no_keyring_means_no_token_stored_anywhere() -> None:
    store = SecretStore(fail.Keyring())
    with pytest.raises(UserError, match="no system keyring"):
        store.set("github", "ghp_not_a_real_token")


def test_an_empty_token_is_refused() -> None:
    with pytest.raises(UserError, match="empty"):
        SecretStore(fail.Keyring()).set("github", "")


# -- backends judged by what they are, and chains by what they hold --------------------------
class MemoryKeyring(KeyringBackend):
    """Stands for an OS keyring: keeps passwords in memory. Its class priority is 0, so that
    keyring's own default chain never picks it up for the rest of the test run (keyring
    knows every subclass ever defined); a test gives an instance a priority of its own."""

    priority = 0  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


def _plaintext(tmp_path: Path) -> Any:
    from keyrings.alt.file import PlaintextKeyring

    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring_pass.cfg")  # type: ignore[misc]
    return backend


def test_a_chain_named_by_the_environment_is_judged_by_its_backends(tmp_path: Path) -> None:
    """PYTHON_KEYRING_BACKEND=keyring.backends.chainer.ChainerBackend with keyrings.alt
    installed and no OS keyring: the chain holds only the plaintext file, so it is refused
    and no file is written (a fresh process, as keyring reads the variable once)."""
    pytest.importorskip("keyrings.alt.file")
    home = tmp_path / "home"
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.chainer.ChainerBackend",
           "HOME": str(home), "XDG_DATA_HOME": str(home / ".local/share"),
           "XDG_CONFIG_HOME": str(home / ".config"), "DBUS_SESSION_BUS_ADDRESS": "disabled:"}
    code = ("from stackadmin.secrets import SecretStore\n"
            "from stackadmin.errors import UserError\n"
            "try:\n    SecretStore().set('github', 'ghp_not_a_real_token')\n"
            "except UserError as exc:\n    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("no system keyring is available (found "
                                  "keyring.backends.chainer.ChainerBackend of "
                                  "keyrings.alt.file.PlaintextKeyring)")
    written = [p for p in home.rglob("*") if p.is_file()] if home.exists() else []
    assert not any("ghp_not_a_real_token" in p.read_text(errors="replace") for p in written)
    assert not [p for p in written if "keyring" in p.name]


def test_a_renamed_plaintext_backend_is_still_refused(tmp_path: Path) -> None:
    pytest.importorskip("keyrings.alt.file")
    from keyrings.alt.file import PlaintextKeyring

    class Vault(PlaintextKeyring):  # type: ignore[misc]
        """A plaintext file under another name."""

    backend = Vault()
    backend.file_path = str(tmp_path / "vault.cfg")
    with pytest.raises(UserError, match=r"found tests\.test_secrets\..*Vault"):
        SecretStore(backend).set("github", "ghp_not_a_real_token")
    assert not (tmp_path / "vault.cfg").exists()


def test_a_wrapper_around_a_plaintext_file_is_refused(tmp_path: Path) -> None:
    pytest.importorskip("keyrings.alt.multi")
    from keyrings.alt.multi import MultipartKeyringWrapper

    wrapper = MultipartKeyringWrapper(_plaintext(tmp_path))
    with pytest.raises(UserError, match=r"MultipartKeyringWrapper of keyrings\.alt\.file"):
        SecretStore(wrapper).set("github", "ghp_not_a_real_token")
    assert not (tmp_path / "keyring_pass.cfg").exists()


def test_a_chain_stores_in_its_os_keyrings_only(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A chain that also holds the plaintext file (keyring's default once keyrings.alt is
    installed) is used for its OS keyrings: the token goes there, never to the file, even
    when the OS keyring ranks lower in the chain."""
    pytest.importorskip("keyrings.alt.file")
    from keyring import backend as keyring_backend
    from keyring.backends.chainer import ChainerBackend

    plain, memory = _plaintext(tmp_path), MemoryKeyring()
    memory.priority = 3  # type: ignore[misc]  # an OS keyring ranks above 0, so a chain takes it
    plain.priority = 9  # the chain would try the file first
    monkeypatch.setattr(keyring_backend, "get_all_keyring", lambda: [plain, memory])
    chain = ChainerBackend()
    assert [type(b).__name__ for b in chain.backends] == ["PlaintextKeyring", "MemoryKeyring"]
    store = SecretStore(chain)
    store.set("github", "ghp_not_a_real_token")
    assert memory.store == {("stackadmin", "github"): "ghp_not_a_real_token"}
    assert not (tmp_path / "keyring_pass.cfg").exists()
    assert store.get("github") == "ghp_not_a_real_token"
    store.delete("github")
    assert memory.store == {} and store.get("github") is None


def test_a_chain_of_nothing_is_no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    from keyring import backend as keyring_backend
    from keyring.backends.chainer import ChainerBackend

    monkeypatch.setattr(keyring_backend, "get_all_keyring", lambda: [])
    with pytest.raises(UserError, match="ChainerBackend of no backend"):
        SecretStore(ChainerBackend()).set("github", "ghp_not_a_real_token")
