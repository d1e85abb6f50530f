"""The embedded default's secrets key (infra/secrets.py ``load_key``): made once, whole, shared by every process."""

from __future__ import annotations

import os

from cryptography.fernet import Fernet

from infra import secrets
from infra.secrets import load_key


def test_given_no_key_when_first_asked_then_one_key_is_made_private_and_given_again(tmp_path):
    key = load_key("", tmp_path)
    Fernet(key)  # a whole Fernet key
    assert load_key("", tmp_path) == key
    assert oct((tmp_path / "secret.key").stat().st_mode & 0o777) == "0o600"
    assert os.listdir(tmp_path) == ["secret.key"]  # nothing of the making left beside it


def test_given_another_process_that_made_the_key_first_then_its_key_is_taken_never_a_file_half_written(
        tmp_path, monkeypatch):
    """The key is written whole beside its place and linked into it: a process that loses the race takes the
    winner's key (it cannot find the file empty while the winner writes)."""
    theirs = Fernet.generate_key()
    real_link = os.link

    def link(source, target):
        (tmp_path / "other").write_bytes(theirs)
        real_link(tmp_path / "other", target)  # the other process linked first
        os.unlink(tmp_path / "other")
        raise FileExistsError(target)

    monkeypatch.setattr(secrets.os, "link", link)
    assert load_key("", tmp_path) == theirs
    assert os.listdir(tmp_path) == ["secret.key"]
