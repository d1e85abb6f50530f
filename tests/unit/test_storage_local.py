"""Local storage leaves no ``.tmp-*`` file behind when a write fails part-way, even when the folder
refuses the clean-up itself at that moment (an outage): what could not be removed then is removed
by the next storage call once the folder answers again."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from infra.storage import LocalStorage, StorageUnavailable


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob(".tmp-*")]


def test_a_write_that_fails_leaves_no_temporary_file(tmp_path, monkeypatch):
    storage = LocalStorage(tmp_path)

    def no_space(_fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(StorageUnavailable):
        storage.put("accounts/acme/messages/a.eml", b"x" * 1000)
    assert leftovers(tmp_path) == []


def test_a_temporary_file_that_could_not_be_removed_during_an_outage_is_removed_afterwards(tmp_path, monkeypatch):
    storage = LocalStorage(tmp_path)
    real_unlink = os.unlink

    def io_error(*_args, **_kwargs):
        raise OSError(errno.EIO, "Input/output error")

    with monkeypatch.context() as outage:
        outage.setattr(os, "replace", io_error)
        outage.setattr(os, "unlink", io_error)
        with pytest.raises(StorageUnavailable) as failed:
            storage.put("accounts/acme/messages/a.eml", b"x" * 1000)
    assert "Input/output error" in str(failed.value)  # the write's own error, not the clean-up's
    assert os.unlink is real_unlink
    storage.put("accounts/acme/messages/b.eml", b"y")  # the folder answers again
    assert leftovers(tmp_path) == []
    assert storage.get("accounts/acme/messages/b.eml") == b"y"
