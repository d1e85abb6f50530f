"""A worker thread runs the next stage itself when it may (workers/actors.py ``Stages._in_place``):
the read, extract and scoring of a born-digital certificate follow its split in the split's thread, with
no message of their own (the publication keeps its message); the hand-off row stands for each until it has run; the read is
counted by StageGuard as around its own message; a stage of the other queue is still enqueued."""

from __future__ import annotations

import json
from email.message import EmailMessage

import dramatiq
from sqlalchemy import func, select

from infra.models import Document, Handoff
from inbox.smtp import InboxHandler
from pipeline.states import DocumentStatus
from samples.certificates import draw_certificate
from workers.publish import stream_name


class Processed(dramatiq.Middleware):
    """The actor of every message a worker thread ran."""

    def __init__(self) -> None:
        self.actors: list[str] = []

    def before_process_message(self, broker, message) -> None:
        self.actors.append(message.actor_name)


def mail(chain, attachment: bytes) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "agent@example.test", "acme@coi.test", "COI"
    message.set_content("Attached.")
    message.add_attachment(attachment, maintype="application", subtype="pdf", filename="coi.pdf")
    InboxHandler(chain.app, chain.actors.send_on).accept(message.as_bytes(), "agent@example.test", ["acme@coi.test"])


def handoff_rows(chain) -> int:
    with chain.app.sessions() as session:
        return session.scalar(select(func.count()).select_from(Handoff))


def test_given_a_born_digital_certificate_when_split_then_read_extract_and_score_run_in_the_splits_thread(
        chain, certificate):
    processed = Processed()
    chain.broker.add_middleware(processed)

    mail(chain, draw_certificate(certificate))
    chain.settle()

    assert processed.actors == ["split_message", "publish_events"]  # none for the read, extract and scoring
    with chain.app.sessions() as session:
        assert session.scalars(select(Document)).one().status == DocumentStatus.DECIDED
    entries = chain.app.redis.xrange(stream_name("acme"))
    assert [json.loads(fields[b"event"])["type"] for _, fields in entries] == ["coi.certificate.approved"]
    chain.actors.stages.taken.flush(chain.app.sessions)  # what the relay's next round does
    assert handoff_rows(chain) == 0
    assert chain.dead_letters() == []


def test_given_a_stage_run_in_place_when_it_runs_then_its_hand_off_row_still_stands_for_it(
        chain, certificate, monkeypatch):
    """A process that dies inside the in-place extract leaves the row for a relay to enqueue."""
    stages = chain.actors.stages
    seen = []
    real_extract = stages._extract

    def extract(session, document, carry):
        with chain.app.sessions() as other:
            seen.append(other.scalars(select(Handoff.actor)).all())
        seen.append(list(stages.taken._ids))
        return real_extract(session, document, carry)

    monkeypatch.setattr(stages, "_extract", extract)

    mail(chain, draw_certificate(certificate))
    chain.settle()

    rows, taken = seen
    assert "extract_document" in rows  # committed with the read, not yet deleted
    with chain.app.sessions() as session:
        extract_row = session.scalars(select(Handoff.id).where(Handoff.actor == "extract_document")).one()
    assert extract_row not in taken  # not handed to the relay's deletion before the stage ran
    assert extract_row in stages.taken._ids  # and handed to it once the stage had run


def test_given_an_in_place_stage_that_fails_for_a_while_when_it_recovers_then_its_own_message_decides_it_once(
        chain, certificate, monkeypatch):
    """A transient error in the in-place extract enqueues the extract's message: its retries and its
    ``give_up`` are the extract's, as when it always had a message."""
    from sqlalchemy.exc import OperationalError

    stages = chain.actors.stages
    real_extract, failed = stages._extract, []

    def extract(session, document, carry):
        if not failed:
            failed.append(1)
            raise OperationalError("SELECT", {}, Exception("server closed the connection unexpectedly"))
        return real_extract(session, document, carry)

    monkeypatch.setattr(stages, "_extract", extract)
    processed = Processed()
    chain.broker.add_middleware(processed)

    mail(chain, draw_certificate(certificate))
    chain.settle()

    assert failed and sorted(processed.actors) == ["extract_document", "publish_events", "split_message"]
    with chain.app.sessions() as session:
        assert session.scalars(select(Document)).one().status == DocumentStatus.DECIDED
    assert len(chain.app.redis.xrange(stream_name("acme"))) == 1
    assert chain.dead_letters() == []


def test_given_a_read_run_in_place_when_it_reads_then_its_crash_count_is_up_and_cleared_after(
        chain, certificate, monkeypatch):
    """The split reads its one document in place: StageGuard counts the read as around its own message."""
    import pipeline.stages

    real_read, counts = pipeline.stages.read_text, []

    def read_text(*args, **kwargs):
        with chain.app.sessions() as session:
            counts.append(session.scalars(select(Document.crashes)).one())
        return real_read(*args, **kwargs)

    monkeypatch.setattr(pipeline.stages, "read_text", read_text)
    processed = Processed()
    chain.broker.add_middleware(processed)

    mail(chain, draw_certificate(certificate))
    chain.settle()

    assert processed.actors == ["split_message", "publish_events"]
    assert counts == [1]  # counted before the read ran
    with chain.app.sessions() as session:
        assert session.scalars(select(Document.crashes)).one() == 0


def test_given_a_document_that_crashed_its_reader_too_often_when_read_in_place_then_it_is_failed_unread(
        chain, certificate, monkeypatch):
    import pipeline.stages

    monkeypatch.setattr(chain.actors.stages.guard, "max_crashes", 0)  # every count is one too many
    reads = []
    monkeypatch.setattr(pipeline.stages, "read_text", lambda *a, **k: reads.append(1))

    mail(chain, draw_certificate(certificate))
    chain.settle()

    assert reads == []
    with chain.app.sessions() as session:
        document = session.scalars(select(Document)).one()
    assert (document.status, document.error_code) == (DocumentStatus.FAILED, "reader_crashed")
    chain.actors.stages.taken.flush(chain.app.sessions)
    assert handoff_rows(chain) == 0
    assert chain.dead_letters() == []


def test_given_the_next_stage_when_it_is_of_the_other_queue_or_no_relay_runs_then_it_is_enqueued(chain):
    actors, stages = chain.actors, chain.actors.stages
    assert stages._in_place(actors.extract_document, "default")
    assert stages._in_place(actors.read_document, "default")  # crash-prone: counted in place (arm_here)
    assert not stages._in_place(actors.ocr_document, "default")  # the OCR pool's queue
    assert not stages._in_place(actors.extract_document, "ocr")  # after an OCR: the fast queue's work
    stages.taken.deferring = False  # a stage called outside a worker (a command, a test)
    try:
        assert not stages._in_place(actors.extract_document, "default")
    finally:
        stages.taken.deferring = True


def test_given_a_read_in_place_that_meets_a_transient_error_when_its_message_takes_it_on_then_its_count_is_cleared_first(
        chain, certificate, monkeypatch):
    """The split's count of the read is cleared before the read's own message counts it again."""
    from infra.storage import StorageUnavailable

    storage, real_put, failed = chain.app.storage, chain.app.storage.put, []
    counts = []

    def put(key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        if key.endswith("/reading.json") and not failed:  # the read's one storage call in place (it is handed the file)
            failed.append(1)
            with chain.app.sessions() as session:
                counts.append(session.scalars(select(Document.crashes)).one())
            raise StorageUnavailable("storage is away")
        real_put(key, data, content_type)

    monkeypatch.setattr(storage, "put", put)
    monkeypatch.setattr("workers.actors.patiently", lambda action, **_: action())  # no waiting in place
    released = []
    real_release = chain.actors.stages.guard.release_here

    def release_here(document_id):
        real_release(document_id)
        with chain.app.sessions() as session:
            released.append(session.scalars(select(Document.crashes)).one())

    monkeypatch.setattr(chain.actors.stages.guard, "release_here", release_here)
    processed = Processed()
    chain.broker.add_middleware(processed)

    mail(chain, draw_certificate(certificate))
    chain.settle()

    assert counts == [1] and released == [0]  # counted in place, cleared before the read's message
    assert "read_document" in processed.actors
    with chain.app.sessions() as session:
        document = session.scalars(select(Document)).one()
    assert (document.status, document.crashes) == (DocumentStatus.DECIDED, 0)


def test_given_a_split_that_reads_its_one_document_in_place_then_the_reads_crash_count_commits_with_the_split(
        chain, certificate):
    """The count up before the read (StageGuard ``count_with``) is in the split's transaction, beside the
    read's hand-off, not a transaction of its own between the split's and the read's."""
    from sqlalchemy import event

    seen: list[str] = []

    def statement(_conn, _cursor, sql, *_args) -> None:
        seen.append(" ".join(sql.split())[:80])

    event.listen(chain.app.engine, "before_cursor_execute", statement)
    event.listen(chain.app.engine, "commit", lambda _conn: seen.append("COMMIT"))
    try:
        mail(chain, draw_certificate(certificate))
        chain.settle()
    finally:
        event.remove(chain.app.engine, "before_cursor_execute", statement)

    split_ends = next(i for i, s in enumerate(seen) if s.startswith("UPDATE messages SET status"))
    split_commit = seen.index("COMMIT", split_ends)
    counted = [i for i, s in enumerate(seen)
               if s.startswith("UPDATE documents SET") and "crashes=(documents.crashes +" in s]
    assert len(counted) == 1 and split_ends < counted[0] < split_commit  # counted in the split's transaction
    with chain.app.sessions() as session:
        assert session.scalars(select(Document)).one().status == DocumentStatus.DECIDED


def test_given_a_split_that_reads_its_one_document_in_place_then_the_read_is_handed_the_row_as_counted_not_loaded(
        chain, certificate, monkeypatch):
    """The count up in the split's transaction gives the document's row back (StageGuard ``count_with``): the read
    run in place is handed it, sends no SELECT of the document, and sees every column as the database has it."""
    from sqlalchemy import event, inspect

    stages = chain.actors.stages
    seen: list[str] = []
    columns = [c.key for c in inspect(Document).column_attrs]
    handed, stored = {}, {}
    real_read = stages._read

    def read(session, document, carry):
        seen.append("READ")
        handed.update({key: getattr(document, key) for key in columns})
        with chain.app.sessions() as other:
            row = other.get(Document, document.id)
            stored.update({key: getattr(row, key) for key in columns})
        return real_read(session, document, carry)

    def statement(_conn, _cursor, sql, *_args) -> None:
        seen.append(" ".join(sql.split())[:80])

    monkeypatch.setattr(stages, "_read", read)
    event.listen(chain.app.engine, "before_cursor_execute", statement)
    try:
        mail(chain, draw_certificate(certificate))
        chain.settle()
    finally:
        event.remove(chain.app.engine, "before_cursor_execute", statement)

    counted = next(i for i, s in enumerate(seen) if s.startswith("UPDATE documents SET") and "crashes=(documents" in s)
    assert not [s for s in seen[counted:seen.index("READ")] if s.startswith("SELECT documents")]
    assert handed == stored and handed["crashes"] == 1
    with chain.app.sessions() as session:
        assert session.scalars(select(Document)).one().status == DocumentStatus.DECIDED


def test_given_a_split_that_stored_the_document_it_reads_in_place_then_its_move_to_reading_commits_with_the_split(
        chain, certificate, monkeypatch):
    """A document the split stored is moved to "reading" in its count's UPDATE, with the split's commit: the read
    makes no commit before it reads, and a reading left under the document's key (an earlier document of the same
    bytes) is gone before the read starts, as the read's own move used to delete it."""
    import hashlib

    from sqlalchemy import event

    from infra.keys import document_key, reading_key

    stages = chain.actors.stages
    pdf = draw_certificate(certificate)
    stale = reading_key(document_key("acme", hashlib.sha256(pdf).hexdigest(), "coi.pdf"))
    chain.app.storage.put(stale, b'{"method": "text_layer", "pages": []}', "application/json")
    seen: list[str] = []
    at_read = {}
    real_read = stages._read

    def read(session, document, carry):
        seen.append("READ")
        at_read.update(status=document.status, stale=chain.app.storage.exists(stale))
        return real_read(session, document, carry)

    def statement(_conn, _cursor, sql, *_args) -> None:
        seen.append(" ".join(sql.split())[:80])

    monkeypatch.setattr(stages, "_read", read)
    event.listen(chain.app.engine, "before_cursor_execute", statement)
    event.listen(chain.app.engine, "commit", lambda _conn: seen.append("COMMIT"))
    try:
        mail(chain, pdf)
        chain.settle()
    finally:
        event.remove(chain.app.engine, "before_cursor_execute", statement)

    moved = next(i for i, s in enumerate(seen) if s.startswith("UPDATE documents SET status=") and "crashes=(" in s)
    split_commit = seen.index("COMMIT", moved)
    assert seen[split_commit:seen.index("READ")] == ["COMMIT"]  # nothing more before the read: no commit of its own
    assert at_read == {"status": DocumentStatus.READING.value, "stale": False}
    with chain.app.sessions() as session:
        assert session.scalars(select(Document)).one().status == DocumentStatus.DECIDED


def test_given_an_extract_run_in_place_then_it_reads_the_reading_it_was_handed_without_building_it_again(
        chain, certificate, monkeypatch):
    """The read hands on its reading as the stored JSON reads back (``Reading.as_stored``): the extract run in place
    does not build it again from a dict (``Reading.from_dict``, every word); what is stored is unchanged."""
    from pipeline.stages import Reading
    from workers.actors import reading_key

    built = []
    real_from_dict = Reading.from_dict.__func__

    def from_dict(cls, data):
        built.append(len(data["pages"]))
        return real_from_dict(cls, data)

    monkeypatch.setattr(Reading, "from_dict", classmethod(from_dict))

    mail(chain, draw_certificate(certificate))
    chain.settle()

    assert built == []
    with chain.app.sessions() as session:
        document = session.scalars(select(Document)).one()
        assert document.status == DocumentStatus.DECIDED
    stored = json.loads(chain.app.storage.get(reading_key(document)))
    assert stored["method"] == "text_layer" and stored["pages"]
