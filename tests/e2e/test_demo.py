"""The README's main job, ``coi demo``, on the embedded defaults in a fresh folder."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e


def test_given_a_fresh_folder_then_the_demo_emails_a_certificate_and_prints_an_approval(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("COI_")}
    env.update(COI_VAR_DIR=str(tmp_path), COI_SMTP_PORT="0")
    for run in range(2):  # a second run reuses the account it created
        done = subprocess.run([sys.executable, "-m", "infra.entry.cli", "demo"], env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "decided → APPROVED" in done.stdout, done.stdout
        assert "event coi.certificate.approved" in done.stdout
    assert (tmp_path / "coi.db").exists() and (tmp_path / "storage" / "accounts" / "demo").is_dir()
