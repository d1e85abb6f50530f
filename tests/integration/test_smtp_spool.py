"""The SMTP door spools DATA to disk past COI_SMTP_SPOOL_BYTES, on a real socket: a large message is
stored byte for byte, one over the size limit is dropped as soon as it passes it, a client that
hangs up leaves no temporary file, and the door holds no more than the threshold while a large
message arrives."""

from __future__ import annotations

import os
import socket
import tracemalloc
from pathlib import Path

import pytest
from sqlalchemy import select

from infra.admin import add_account
from infra.bootstrap import App
from infra.models import InboundMessage
from inbox.smtp import SPOOL_WRITE_BYTES
from services import actors_of, free_port, wait_for

pytestmark = pytest.mark.integration

KiB = 1024
THRESHOLD = 64 * KiB  # the door's spool threshold in these tests: every message here passes it
LINE = b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3\r\n"  # 80 bytes
BLOCK = LINE * 819  # about 64 KiB of base64-like body lines, sent again and again
HEADERS = b"From: agent@example.test\r\nSubject: large\r\n\r\n"


@pytest.fixture
def account(app: App):
    with app.sessions() as session:
        return add_account(session, "acme", "Acme Builders")


@pytest.fixture
def spools(monkeypatch) -> list:
    """Every DataSpool the door makes, in order (the door's own objects, inspected from outside)."""
    from inbox.smtp import InboxHandler

    made = []
    real = InboxHandler.new_spool

    def recording(handler):
        spool = real(handler)
        made.append(spool)
        return spool

    monkeypatch.setattr(InboxHandler, "new_spool", recording)
    return made


@pytest.fixture
def door(app: App, account, tmp_path: Path):
    """A door with a small spool threshold and its own spool folder; yields (address, folder, app)."""
    from inbox.smtp import make_controller

    folder = tmp_path / "spool"
    spooling = App(app.settings.model_copy(update={
        "smtp_port": free_port(), "smtp_spool_bytes": THRESHOLD, "smtp_spool_dir": folder,
        "max_message_bytes": 4 * 1024 * KiB}))
    controller = make_controller(spooling, actors_of(spooling).send_on)
    controller.start()
    try:
        yield (controller.hostname, controller.port), folder, spooling
    finally:
        controller.stop()
        spooling.close()


def open_files_in(folder: Path) -> list[str]:
    """This process's open files under ``folder`` (the spool's files have no name there, only a
    descriptor: Linux lists them as ``<folder>/#<inode> (deleted)``)."""
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        pytest.skip("needs /proc to see open files")
    found = []
    for fd in fds.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(folder) + "/"):
            found.append(target)
    return found


def start_data(address, *, headers: bool = True) -> tuple[socket.socket, object]:
    """A connection at the point where DATA's bytes go (the 354 read; a header section sent)."""
    conn = socket.create_connection(address, timeout=30)
    reader = conn.makefile("rb")
    assert reader.readline().startswith(b"220")
    for command in (b"EHLO client.test\r\n", b"MAIL FROM:<agent@example.test>\r\n", b"RCPT TO:<acme@coi.test>\r\n",
                    b"DATA\r\n"):
        conn.sendall(command)
        while (reply := reader.readline())[3:4] == b"-":
            pass
        assert reply[:1] in (b"2", b"3"), reply
    if headers:
        conn.sendall(HEADERS)
    return conn, reader


def rows(app: App) -> list[InboundMessage]:
    with app.sessions() as session:
        return list(session.scalars(select(InboundMessage)))


def test_given_a_message_past_the_threshold_then_it_is_stored_byte_for_byte_from_disk(door, spools):
    address, folder, app = door
    lines = [b"From: agent@example.test\r\n", b"Subject: dots\r\n", b"\r\n",
             b".a line that began with a dot\r\n", b"..two dots\r\n", b".\r\n", b"..\r\n",
             b"a bare LF\n.\nis content, not an end\r\n", *[BLOCK] * 5, b".last line\r\n"]
    message = b"".join(lines)
    wire = b"".join(b"." + line if line.startswith(b".") else line for line in lines)  # RFC 5321 4.5.2
    conn, reader = start_data(address, headers=False)
    with conn:
        conn.sendall(wire + b".\r\n")
        assert reader.readline().startswith(b"250")
        conn.sendall(b"QUIT\r\n")
    [row] = rows(app)
    assert app.storage.get(row.storage_key) == message
    assert row.size == len(message)
    [spool] = spools
    assert spool.spilled and spool.closed  # it went through a file, now gone
    assert open_files_in(folder) == []


def test_given_a_message_over_the_size_limit_then_it_is_dropped_at_once_and_answered_552(door, spools):
    address, folder, app = door
    conn, reader = start_data(address)
    with conn:
        sent = 0
        while sent <= 4 * 1024 * KiB + len(BLOCK):  # past the 4 MiB limit
            conn.sendall(BLOCK)
            sent += len(BLOCK)
        [spool] = spools
        wait_for(lambda: spool.discarded)  # while the client is still sending
        assert spool.closed and open_files_in(folder) == []
        conn.sendall(BLOCK * 3 + b".\r\n")
        assert reader.readline().startswith(b"552")
        conn.sendall(b"QUIT\r\n")
    assert rows(app) == []
    assert open_files_in(folder) == []


def test_given_a_client_that_hangs_up_mid_data_then_no_temporary_file_is_left(door, spools):
    address, folder, app = door
    conn, _ = start_data(address)
    with conn:
        conn.sendall(BLOCK * 4)  # past the threshold: on disk
        wait_for(lambda: spools and spools[0].size >= len(BLOCK) * 4 - SPOOL_WRITE_BYTES)
        assert spools[0].spilled and len(open_files_in(folder)) == 1
        conn.shutdown(socket.SHUT_RDWR)  # hang up (close() alone waits for the reader made from it)
    wait_for(lambda: spools[0].closed)
    assert open_files_in(folder) == []
    assert rows(app) == []


def test_given_a_large_message_arriving_then_the_door_holds_no_more_than_its_threshold(door, spools):
    address, folder, app = door
    blocks = 48  # about 3 MiB, under the limit
    conn, reader = start_data(address)
    with conn:
        tracemalloc.start()
        try:
            before, _ = tracemalloc.get_traced_memory()
            for _ in range(blocks):
                conn.sendall(BLOCK)  # one block, sent again: the test itself allocates nothing per send
            # every line spooled but the last SPOOL_WRITE_BYTES, which wait for the end of data
            wait_for(lambda: spools and spools[0].size >= len(BLOCK) * blocks - SPOOL_WRITE_BYTES)
            held, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        # aiosmtpd held every line (3 MiB and more); the spool holds its threshold at most, then a file
        assert held - before < 2 * THRESHOLD, f"{held - before} bytes held while {len(BLOCK) * blocks} arrived"
        conn.sendall(b".\r\n")
        assert reader.readline().startswith(b"250")
        conn.sendall(b"QUIT\r\n")
    [message] = rows(app)
    assert message.size == len(HEADERS) + len(BLOCK) * blocks


def test_given_a_spool_folder_that_refuses_files_then_451_and_the_sender_tries_again(app, account, tmp_path):
    """A full or vanished spool folder is transient trouble: 451, no exception text sent to the client."""
    from inbox.smtp import make_controller

    folder = tmp_path / "spool"
    broken = App(app.settings.model_copy(update={
        "smtp_port": free_port(), "smtp_spool_bytes": THRESHOLD, "smtp_spool_dir": folder}))
    controller = make_controller(broken, actors_of(broken).send_on)  # makes the folder
    controller.start()
    folder.rmdir()  # and it goes away under the running door
    try:
        conn, reader = start_data((controller.hostname, controller.port))
        with conn:
            conn.sendall(BLOCK * 3 + b".\r\n")  # past the threshold: the file is needed
            assert reader.readline().startswith(b"451 ")
            conn.sendall(b"QUIT\r\n")
    finally:
        controller.stop()
        broken.close()
    assert rows(app) == []
