"""Tokens go to a real OS keyring (Secret Service in CI), and nowhere else."""

from __future__ import annotations

import os
import uuid

import keyring
import pytest
from keyring.backends import fail

from stackadmin.errors import UserError
from stackadmin.secrets import SecretStore


@pytest.fixture
def real_backend() -> object:
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or "Plaintext" in type(backend).__name__:
        if os.environ.get("CI"):
            pytest.fail("CI must provide a real keyring (gnome-keyring in a D-Bus session)")
        pytest.skip("no OS keyring in this session (CI runs one)")
    return backend


def test_a_token_round_trips_through_the_os_keyring(real_backend: object) -> None:
    store = SecretStore(real_backend)
    ref = f"test-{uuid.uuid4().hex}"
    store.set(ref, "xoxb-not-a-real-token")
    try:
        assert store.get(ref) == "xoxb-not-a-real-token"
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
