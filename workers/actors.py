"""dramatiq actors: thin. Each loads by id, calls a pure stage, persists, and hands on.

The chain: split_message → read_document [→ ocr_document] → extract_document → score_document →
publish_events. Everything runs on the ``default`` queue but OCR, which has a queue of its own
(``ocr``): a worker pool on ``default`` keeps deciding born-digital certificates in well under a second
while scans wait for the OCR pool (``coi worker --queues default`` / ``--queues ocr``).
Every actor is idempotent: run twice, it leaves the same rows (UNIQUE constraints decide) and
re-sends the next step, which is idempotent too. In a worker, a thread goes on to the next stage itself
when it is on the same queue (``Stages._continue``): a born-digital certificate's read, extract and
scoring run in its split's thread, each still recorded as a hand-off until it has run.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import dramatiq
from dramatiq.middleware import SkipMessage
from sqlalchemy import String, bindparam, case, or_, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from infra import keys
from infra.keys import document_key
from infra.logging import correlation_id
from infra.models import Account, Certificate, Document, Handoff, InboundMessage, MessageDocument, utcnow
from infra.repo import add_document, add_event, document_ref, hand_on, insert_ignore, message_ref, move, move_now
from infra.patience import patiently
from infra.settings import Settings
from infra.storage import ObjectMissing, Storage, put_patiently
from pipeline.events import EventType
from pipeline.mime import split_message as split_mime
from pipeline.signals.history import compared
from pipeline.states import DocumentStatus, MessageStatus, Source, reached
from workers import outcomes, trust, uploads
from workers.guard import MAX_CRASHES, StageGuard, clear_crashes, crashes_cleared
from workers.dispatch import Flushed
from workers.handoffs import Relay, Taken, dispatch, relay_once
from workers.memory import ReturnFreedMemory
from workers.metrics import StageTimer, stage_handover
from workers.on_file import on_file

if TYPE_CHECKING:
    from redis import Redis

    from infra.secrets import SecretBox
    from pipeline.ocr.engine import OcrEngine
    from pipeline.stages import Reading

log = logging.getLogger(__name__)

DEFAULT_QUEUE, OCR_QUEUE = "default", "ocr"
OCR_PRIORITY = 10  # dramatiq runs lower numbers first: a worker on both queues takes fast work first
__all__ = ["MAX_CRASHES", "Actors", "declare_actors", "document_key", "reading_key"]


# Built once (every mail's split sends them: their construction and cache key are not redone each time)
_MESSAGE = bindparam("message_id", type_=String)
_ASKED = aliased(InboundMessage)
# The message with its account first, then the other rows of the same stored mail still to split (the door
# stores one copy per account for every recipient of a transaction): one statement, by
# ix_messages_account_storage_key
MESSAGE_AND_SAME_MAIL = (
    select(InboundMessage, Account).join(Account, Account.id == InboundMessage.account_id)
    .where(InboundMessage.account_id == select(_ASKED.account_id).where(_ASKED.id == _MESSAGE).scalar_subquery(),
           InboundMessage.storage_key == select(_ASKED.storage_key).where(_ASKED.id == _MESSAGE).scalar_subquery(),
           or_(InboundMessage.id == _MESSAGE, InboundMessage.status == MessageStatus.RECEIVED.value))
    .order_by(case((InboundMessage.id == _MESSAGE, 0), else_=1), InboundMessage.id))
STORED = select(Document.id).join(MessageDocument).where(MessageDocument.message_id == _MESSAGE,
                                                         Document.status == DocumentStatus.STORED.value)


_MESSAGES = InboundMessage.__table__.c
MARK = update(InboundMessage.__table__).where(_MESSAGES.id.in_(bindparam("ids", expanding=True))).values(
    status=bindparam("new_status", type_=_MESSAGES.status.type),
    reason=bindparam("new_reason", type_=_MESSAGES.reason.type))


def mark_messages(session: Session, rows: list[InboundMessage], status: MessageStatus, reason: str | None) -> None:
    """The split's outcome on every row of one stored mail: one UPDATE built once, sent at once, and the
    loaded rows told it as already written (no unit of work to flush for them)."""
    session.connection().execute(MARK, {"ids": [row.id for row in rows], "new_status": status.value,
                                        "new_reason": reason})
    for row in rows:
        set_committed_value(row, "status", status.value)
        set_committed_value(row, "reason", reason)


def _stage_name(step) -> str:
    """``_ocr`` → ``ocr``, for a log line; a step given as a lambda (scoring) is "stage"."""
    name = getattr(step, "__name__", "")
    return name.strip("_") if name and name != "<lambda>" else "stage"


def reading_key(document: Document) -> str:
    return keys.reading_key(document.storage_key)


@dataclass
class Handed:
    """What a stage run in place (``Stages._continue``) is given by the one before it in the same thread,
    so that it does not fetch again what that stage had in hand a moment ago: the document as that
    stage committed it (loaded, moved and cleared through ``move_now`` / ``clear_crashes``, or, from the
    split, as its count up of the read gave the row back: StageGuard ``count_with``; so its attributes
    are the row's), whether the split moved it to "reading" (``moved``), the file's bytes, and the
    reading as the stored one reads back (``Reading.as_stored``: what ``Reading.from_dict`` of the stored
    JSON gives, without building it again from the JSON's dict). Each is None when not known; the stage
    then loads it.

    A stage run from its own message is handed nothing. Only the first attempt of a stage uses what it
    was handed (``Stages._run``): an attempt that met a transient error rolled back, and the document's
    attributes may say what its rolled-back transaction wrote."""

    document: Document | None = None
    data: bytes | None = None  # the document's file, as stored under ``document.storage_key``
    reading: Reading | None = None  # the stored reading as it reads back (what reading_key holds)
    counted: bool = False  # a crash-prone stage's count is up, committed by the stage before (StageGuard.count_with)
    moved: bool = False  # the read's move to "reading" committed by the split, no reading stored (Stages.split_message)


@dataclass
class Carry:
    """What one run of a step was handed (``data``, ``reading``) and, once it has run, what it has for the
    next stage: the step fills in what it fetched or made."""

    data: bytes | None = None
    reading: Reading | None = None
    moved: bool = False  # as Handed.moved

    def file(self, storage: Storage, document: Document) -> bytes:
        """The document's file: as handed, else from storage (and kept for the next stage)."""
        if self.data is None:
            self.data = storage.get(document.storage_key)
        return self.data


class PrefetchLimits(dramatiq.Middleware):
    """A worker fetches no more OCR messages than it has threads (dramatiq fetches twice as many): a
    scan fetched beyond them waited in a busy worker's memory, 13-28 s per OCR ahead of it, while
    another worker's thread was free (docs/faults.md). Fetching costs milliseconds, OCR seconds."""

    def before_worker_boot(self, broker, worker) -> None:
        if hasattr(broker, "prefetch_limits"):  # the Redis broker (infra/broker.py); RabbitMQ's is its own
            broker.prefetch_limits = {OCR_QUEUE: worker.worker_threads}


class IdlePolls(dramatiq.Middleware):
    """An idle consumer of the OCR queue (and of its delay queue) looks for work every ``ocr_poll_ms``
    at most, not every ``COI_WORKER_POLL_MS`` as on the fast queue: each look at an empty Redis queue is
    a Lua script call, and the OCR pool's processes idled at ~12 ms of CPU a second each, polling two
    queues ~13 times a second, beside the fast work on the same cores. A scan waits for its OCR
    seconds anyway; a few hundred milliseconds more after a quiet spell are not felt."""

    def __init__(self, ocr_poll_ms: int) -> None:
        self.ocr_poll_ms = ocr_poll_ms

    def before_worker_boot(self, broker, worker) -> None:
        from dramatiq.common import dq_name

        if hasattr(broker, "idle_polls"):  # the Redis broker (infra/broker.py); RabbitMQ pushes
            broker.idle_polls = {OCR_QUEUE: self.ocr_poll_ms, dq_name(OCR_QUEUE): self.ocr_poll_ms}


@dataclass
class Actors:
    split_message: dramatiq.Actor
    read_document: dramatiq.Actor
    ocr_document: dramatiq.Actor
    extract_document: dramatiq.Actor
    score_document: dramatiq.Actor
    rescore_document: dramatiq.Actor
    publish_events: dramatiq.Actor
    give_up: dramatiq.Actor
    take_upload: dramatiq.Actor  # the upload door (workers/uploads.py)
    deliver_webhook: dramatiq.Actor
    send_notification: dramatiq.Actor
    check_expirations: dramatiq.Actor
    sweep: dramatiq.Actor
    chase_requests: dramatiq.Actor  # certificate requests' follow-ups (workers/requests.py)
    stages: Stages  # the functions behind the actors, for a test that calls one stage directly

    @property
    def broker(self) -> dramatiq.Broker:
        """The broker these actors are declared on (its queues are theirs)."""
        return self.stages.broker

    def send_on(self, handoffs: Iterable[Handoff]) -> bool:
        """Enqueue committed hand-offs to these actors (workers/dispatch.py ``SendOn``): what a door,
        the desk or an admin command is given instead of the actors; False when the broker is away."""
        return dispatch(handoffs, broker=self.broker, sessions=self.stages.sessions)

    def flushed_send_on(self) -> Flushed:
        """A ``send_on`` for a door: it enqueues at once and deletes the rows in one statement a second
        once started (workers/dispatch.py ``Flushed``; the SMTP door starts and stops it)."""
        return Flushed(self.broker, self.stages.sessions)


def declare_actors(broker: dramatiq.Broker, *, settings: Settings, sessions: sessionmaker[Session], storage: Storage,
                   ocr_engine: OcrEngine, redis: Callable[[], Redis], secret_box: Callable[[], SecretBox]) -> Actors:
    """Declare the actors on ``broker``, each bound to the collaborators its service names.

    Called once per broker, by the entry points (``workers.entry.declare``: the worker's setup, the
    ``coi`` commands, the demo); the composition root (infra/bootstrap.py) builds the collaborators.
    ``redis`` and ``secret_box`` are ways to get them, asked when an actor runs, not here: they are
    made on first use (an embedded Redis server may start, a key file may be written), and a process
    that declares the actors only to enqueue (a door, the scheduler, the CLI) does not make them for that."""
    stages = Stages(broker=broker, settings=settings, sessions=sessions, storage=storage, ocr_engine=ocr_engine,
                    redis=redis, secret_box=secret_box)
    # correlation id, crash counting, errors to statuses (workers/guard.py); first, so a message it
    # skips (a reader crashed too often) is started by no later middleware
    stages.guard = StageGuard(sessions, stages.fail_document)
    broker.add_middleware(stages.guard)
    broker.add_middleware(StageTimer())  # coi_stage_seconds (docs/metrics.md)

    def relay_round(check_streams: bool) -> None:
        relay_once(check_streams=check_streams, broker=broker, sessions=sessions, settings=settings, redis=redis(),
                   taken=stages.taken)

    # enqueues hand-offs the broker missed, deletes the rows of those it took (workers/handoffs.py)
    broker.add_middleware(Relay(relay_round, taken=stages.taken, flush=lambda: stages.taken.flush(sessions)))
    broker.add_middleware(PrefetchLimits())
    broker.add_middleware(IdlePolls(settings.ocr_poll_ms))
    broker.add_middleware(ReturnFreedMemory([OCR_QUEUE]))  # a scan's images given back (workers/memory.py)
    document = {"failure": stages.fail_document, "on_retry_exhausted": "give_up", **outcomes.RETRY_OPTIONS}

    def actor(fn, **options):
        return dramatiq.actor(fn, broker=broker, actor_name=fn.__name__, **options)

    stages.actors = Actors(
        split_message=actor(stages.split_message, failure=stages.fail_message, on_retry_exhausted="give_up",
                            **outcomes.RETRY_OPTIONS),
        read_document=actor(stages.read_document, crash_prone=True, **document),
        ocr_document=actor(stages.ocr_document, queue_name=OCR_QUEUE, priority=OCR_PRIORITY, crash_prone=True,
                           time_limit=600_000, **document),
        extract_document=actor(stages.extract_document, **document),
        score_document=actor(stages.score_document, **document),
        rescore_document=actor(stages.rescore_document, failure=stages.fail_document, **outcomes.RETRY_OPTIONS),
        publish_events=actor(stages.publish_events, **outcomes.RETRY_OPTIONS),
        give_up=actor(stages.give_up, max_retries=3),
        take_upload=uploads.declare(actor, broker=broker, sessions=sessions, storage=storage,
                                    max_bytes=settings.upload_max_bytes),
        deliver_webhook=actor(stages.deliver_webhook, **outcomes.RETRY_OPTIONS),
        send_notification=actor(stages.send_notification, **outcomes.RETRY_OPTIONS),
        check_expirations=actor(stages.check_expirations, **outcomes.RETRY_OPTIONS),
        sweep=actor(stages.sweep, **outcomes.RETRY_OPTIONS),
        chase_requests=actor(stages.chase_requests, **outcomes.RETRY_OPTIONS),
        stages=stages,
    )
    return stages.actors


class Stages:
    """The functions behind the actors, with the collaborators they use (see :func:`declare_actors`)."""

    def __init__(self, *, broker: dramatiq.Broker, settings: Settings, sessions: sessionmaker[Session],
                 storage: Storage, ocr_engine: OcrEngine, redis: Callable[[], Redis],
                 secret_box: Callable[[], SecretBox]):
        self.broker = broker
        self.settings = settings
        self.sessions = sessions
        self.storage = storage
        self.ocr_engine = ocr_engine
        self.redis = redis
        self.secret_box = secret_box
        self.taken = Taken()  # the rows of the hand-offs these stages enqueued, deleted by the relay
        self.actors: Actors | None = None
        self.guard: StageGuard | None = None  # counts a crash-prone stage run in place (declare_actors)

    @functools.cached_property
    def side_thread(self) -> bool:
        """Whether a page this process OCRs runs its side work on a thread of its own (COI_OCR_SIDE_THREAD; 'auto':
        when the OCR pools' pages at once, COI_OCR_PAGE_THREADS, leave one of this process's cores idle)."""
        from pipeline.ocr.pages import side_thread_helps, usable_cores

        if self.settings.ocr_side_thread != "auto":
            return self.settings.ocr_side_thread == "on"
        helps = side_thread_helps(self.settings.ocr_page_threads or 1, usable_cores())
        log.info("OCR pages at once: %s on %s cores; a page's side work %s", self.settings.ocr_page_threads or 1,
                 usable_cores(), "on a thread of its own" if helps else "on the page's thread")
        return helps

    # -- split ------------------------------------------------------------------------------

    def split_message(self, message_id: str) -> None:
        with self.sessions() as session:
            found = session.execute(MESSAGE_AND_SAME_MAIL, {"message_id": message_id}).all()
            if not found:
                log.warning("message %s not found; nothing to split", message_id)
                return
            message, account = found[0]
            stored: list[str] | None = None  # the documents to read, when this split knows them all
            files: dict[str, bytes] = {}  # the bytes of each document this split inserted
            if message.status == MessageStatus.RECEIVED:
                stored = []
                raw = self.storage.get(message.storage_key)
                result = split_mime(raw)
                # The door stores one copy per account for every recipient of a transaction
                # (inbox/smtp.py): one parse serves every row that shares it.
                rows = [message, *(other for other, _ in found[1:])]
                for attachment in result.attachments:
                    sha = hashlib.sha256(attachment.data).hexdigest()
                    key = document_key(account.slug, sha, attachment.filename)
                    self.storage.put(key, attachment.data, attachment.content_type)
                    document_id, inserted = add_document(session, account_id=account.id, sha256=sha, values={
                        "message_id": message.id, "source": Source.EMAIL.value, "filename": attachment.filename,
                        "content_type": attachment.content_type, "size": len(attachment.data), "storage_key": key,
                        "tag": message.tag})
                    if inserted:
                        stored = None if stored is None else [*stored, document_id]
                        files[document_id] = attachment.data
                    else:  # its status is the earlier document's: read below
                        stored = None
                        log.info("attachment %s is already a document of this account (sha256 %s)",
                                 attachment.filename, sha[:12])
                    for row in rows:
                        insert_ignore(session, MessageDocument, {"message_id": row.id, "document_id": document_id},
                                      ["message_id", "document_id"])
                from workers.vendors import note_thread

                note_thread(session, rows, result.refs)  # what it answers, to link replies (workers/vendors.py)
                if result.attachments:
                    mark_messages(session, rows, MessageStatus.SPLIT,
                                  result.skipped_note())  # what was left out, for `coi status`
                    if message.reason:
                        log.info("message split; %s", message.reason)
                else:
                    mark_messages(session, rows, MessageStatus.NO_ATTACHMENT, result.no_attachment_reason())
                    add_event(session, account_id=account.id, type=EventType.NO_ATTACHMENT,
                              dedupe_key=f"message:{message.id}:no_attachment", message_id=message.id,
                              data=message_ref(session, message, message.reason))
            if stored is None:  # a split done before (a redelivered message), or a file the account had
                stored = session.scalars(STORED, {"message_id": message.id}).all()
            no_attachment = message.status == MessageStatus.NO_ATTACHMENT
            handoffs = [hand_on(session, "read_document", document_id) for document_id in stored]
            in_place = len(handoffs) == 1 and self._in_place(self.actors.read_document, DEFAULT_QUEUE)
            # the read about to run here counted up with this commit, not in a transaction of its own
            # (the row as counted comes back with the count: handed to the read, which does not load it). A
            # document this split stored is moved to "reading" with its count, its stale reading (one left
            # under the same key) deleted here: the read then has no transaction of its own before it reads.
            counted = moved = None
            if in_place and self.guard is not None and self.actors.read_document.options.get("crash_prone", False):
                if stored[0] in files:
                    moved = counted = self.guard.count_with(session, stored[0], moving=DocumentStatus.READING)
                    if moved is not None:
                        self.storage.delete(reading_key(moved))
                else:
                    counted = self.guard.count_with(session, stored[0])
            session.commit()  # the split and its documents' reads, together
        if in_place:
            self._continue(self.actors.read_document, handoffs[0], stored[0],  # one document: read here
                           Handed(document=counted, data=files.get(stored[0]), counted=counted is not None,
                                  moved=moved is not None))
        else:
            self._dispatch(handoffs)
        if no_attachment:
            self._publish()

    # -- read -------------------------------------------------------------------------------

    def read_document(self, document_id: str, *, handed: Handed | None = None) -> None:
        self._run(document_id, self._read, handed=handed)

    def _read(self, session, document: Document, carry: Carry) -> Any:
        """The text layer here; a document that needs OCR is handed to ``ocr_document`` (its own queue)."""
        from pipeline.stages import read_text

        status = DocumentStatus(document.status)
        if reached(status, DocumentStatus.EXTRACTED):
            return self._next_after(status)
        if status == DocumentStatus.READING and not carry.moved and self.storage.exists(reading_key(document)):
            return self.actors.extract_document
        if status == DocumentStatus.STORED:
            self.storage.delete(reading_key(document))  # a reading left by an earlier attempt is stale
            move_now(session, document, DocumentStatus.READING)
            session.commit()
        started = time.monotonic()
        reading = read_text(carry.file(self.storage, document), max_pages=self.settings.max_pages)
        if reading is None:
            return self.actors.ocr_document
        carry.reading = reading.as_stored()  # the extract run in place reads it as its message would
        return self._keep_reading(document, reading.to_dict(), time.monotonic() - started)

    def ocr_document(self, document_id: str) -> None:
        self._run(document_id, self._ocr, queue=OCR_QUEUE)

    def _ocr(self, session, document: Document, carry: Carry) -> Any:
        from pipeline.stages import read_ocr

        status = DocumentStatus(document.status)
        if reached(status, DocumentStatus.EXTRACTED):
            return self._next_after(status)
        if status != DocumentStatus.READING:
            return self.actors.read_document  # sent again from the start (`coi retry`): read decides
        if self.storage.exists(reading_key(document)):
            return self.actors.extract_document
        started = time.monotonic()
        reading = read_ocr(self.storage.get(document.storage_key), max_pages=self.settings.max_pages,
                           ocr_engine=self.ocr_engine, side_thread=self.side_thread)
        return self._keep_reading(document, reading.to_dict(), time.monotonic() - started)

    def _keep_reading(self, document: Document, reading: dict[str, Any], took_s: float) -> Any:
        """Store the reading (``Reading.to_dict``); through a storage outage for as long as it took to read
        (put_patiently)."""
        put_patiently(self.storage, reading_key(document), json.dumps(reading).encode(),
                      "application/json", worth_s=took_s)
        return self.actors.extract_document

    # -- extract ----------------------------------------------------------------------------

    def extract_document(self, document_id: str, *, handed: Handed | None = None) -> None:
        self._run(document_id, self._extract, handed=handed)

    def _extract(self, session, document: Document, carry: Carry) -> Any:
        from infra.search import index_certificate
        from pipeline.stages import Reading, extract, identified

        status = DocumentStatus(document.status)
        if reached(status, DocumentStatus.EXTRACTED):
            return self._next_after(status)
        if status != DocumentStatus.READING:
            log.warning("document is %s, not reading: extract has nothing to do", status)
            return None
        reading = carry.reading
        if reading is None:
            try:
                reading = Reading.from_dict(json.loads(self.storage.get(reading_key(document))))
            except ObjectMissing:
                return self.actors.read_document  # the reading was lost: read again
        form = identified(reading)  # found once: the extraction and the trust signals both use it
        certificate = trust.with_trust_signals(session, carry.file(self.storage, document), reading,
                                               extract(reading, form), document, self.settings.max_pages, form=form)
        insert_ignore(session, Certificate, {
            "document_id": document.id, "edition": (certificate.get("form") or {}).get("edition"),
            "data": certificate, "compared": compared(certificate),  # what later ones compare (workers/trust.py)
            "created_at": utcnow()}, ["document_id"])
        index_certificate(session, document, certificate)  # searchable at once (infra/search.py)
        move_now(session, document, DocumentStatus.EXTRACTED)
        return self.actors.score_document  # committed with the hand-off (_run)

    # -- score ------------------------------------------------------------------------------

    def score_document(self, document_id: str, as_of: str | None = None, *, handed: Handed | None = None) -> None:
        self._run(document_id, lambda session, document, _: self._score(session, document, as_of), handed=handed)

    def _score(self, session, document: Document, as_of: str | None) -> Any:
        from workers.decisions import score
        from workers.vendors import after_scoring

        status = DocumentStatus(document.status)
        if status != DocumentStatus.EXTRACTED:
            return self._next_after(status)
        day = date.fromisoformat(as_of) if as_of else date.today()
        known = on_file(session, document)  # the certificate, and which tables hold anything for it
        score(session, document, day, trigger=f"initial:{document.attempt}", index=False,  # indexed by extract
              on_file=known)
        move_now(session, document, DocumentStatus.DECIDED)
        after_scoring(session, document, self.settings.inbound_domain, day,  # its vendor (workers/vendors.py)
                      certificate=known.certificate.data, on_file=known)
        return self._publish  # committed by _run

    def rescore_document(self, document_id: str, trigger: str, as_of: str | None = None) -> None:
        """Score a decided document again (its requirement set changed, a waiver was granted...)."""
        self._run(document_id, lambda session, document, _: self._rescore(session, document, trigger, as_of))

    def _rescore(self, session, document: Document, trigger: str, as_of: str | None) -> Any:
        from workers.decisions import score

        if document.status != DocumentStatus.DECIDED:
            return None  # not decided yet: its first scoring will see the change
        score(session, document, date.fromisoformat(as_of) if as_of else date.today(), trigger)
        return self._publish  # committed by _run

    # -- publish ----------------------------------------------------------------------------

    def publish_events(self) -> None:
        from workers.publish import publish_pending

        publish_pending(broker=self.broker, sessions=self.sessions, settings=self.settings, redis=self.redis(),
                        taken=self.taken)

    def deliver_webhook(self, delivery_id: int) -> None:
        """One try of one webhook delivery; a failed try schedules the next itself (workers/webhooks.py)."""
        from workers.webhooks import deliver

        wait = deliver(delivery_id, sessions=self.sessions, settings=self.settings, secret_box=self.secret_box())
        if wait is not None:
            self.actors.deliver_webhook.send_with_options(args=(delivery_id,), delay=int(wait * 1000))

    def send_notification(self, notification_id: int) -> None:
        from workers.notify import send

        send(notification_id, sessions=self.sessions, settings=self.settings, storage=self.storage, redis=self.redis(),
             ocr_engine=self.ocr_engine)

    # -- scheduled --------------------------------------------------------------------------

    def check_expirations(self, as_of: str | None = None) -> None:
        from workers.expiry import check_expirations

        day = date.fromisoformat(as_of) if as_of else date.today()
        _, handoffs = check_expirations(day, sessions=self.sessions, settings=self.settings)
        self._dispatch(handoffs)  # the rescores and the publication, committed with the marks

    def chase_requests(self) -> None:
        from workers.requests import chase

        self._dispatch(chase(utcnow(), sessions=self.sessions, settings=self.settings))

    def sweep(self) -> None:
        from workers.sweep import find_stalled, resend

        resend(find_stalled(utcnow(), sessions=self.sessions, redis=self.redis()), broker=self.broker)

    # -- shared -----------------------------------------------------------------------------

    def give_up(self, message_data: dict[str, Any], retry_info: dict[str, Any]) -> None:
        """Retries ran out on a transient error: record it so nothing is silently stuck."""
        args = message_data.get("args") or []
        log.warning("%s gave up after %s retries", message_data.get("actor_name"), retry_info.get("retries"))
        if message_data.get("actor_name") == "split_message":
            if args:
                self._fail_message(args[0], "Storage or the database stayed unavailable through every retry.")
            return
        if args:
            error = outcomes.RetriesExhausted(f"gave up after {retry_info.get('retries')} retries")
            with self.sessions() as session:
                document = session.get(Document, args[0])
                if document is not None:
                    self._fail(session, document, error)
            self._publish()

    def _fail_message(self, message_id: str, reason: str) -> None:
        with self.sessions() as session:
            message = session.get(InboundMessage, message_id)
            if message is not None and message.status == MessageStatus.RECEIVED:
                message.status = MessageStatus.FAILED.value
                message.reason = reason
                add_event(session, account_id=message.account_id, type=EventType.MESSAGE_FAILED,
                          message_id=message.id, dedupe_key=f"message:{message.id}:failed",
                          data=message_ref(session, message, reason))
                session.commit()
        self._publish()

    def fail_message(self, message_id: str, exc: BaseException) -> None:
        """A permanent error splitting the message (StageGuard): recorded, with an event."""
        self._fail_message(message_id, "An unexpected error stopped splitting the message "
                           f"({type(exc).__name__}); the operators have the details in the log.")

    def fail_document(self, document_id: str, exc: BaseException) -> None:
        """A permanent error of a document's stage (StageGuard): its final status and event, published."""
        with self.sessions() as session:
            document = session.get(Document, document_id)
            if document is None:
                return
            self._fail(session, document, exc)
        self._publish()

    def _run(self, document_id: str, step, queue: str = DEFAULT_QUEUE, handed: Handed | None = None) -> None:
        """Run one stage of a document; its errors go up to StageGuard (workers/guard.py).

        A step returns the actor of the next stage, ``self._publish``, or None. The next stage is
        recorded as a hand-off and committed with the step's state change, then enqueued
        (workers/handoffs.py): a broker away at that moment delays it by seconds, never strands it.
        An error rolls the step back with its hand-off. A transient error after long work (an OCR,
        its reading kept, then the database away at the commit) is waited out in place for as long
        as that work took (infra/patience.py): the step runs again and finds its result kept, where a
        retry would have queued behind every other OCR.

        In a worker, a next stage that this thread may run (:meth:`_in_place`) is run at once, after the
        commit and outside the step's patience, instead of being enqueued (:meth:`_continue`), and is
        handed what this one had (:class:`Handed`). What this stage was handed serves its first attempt
        only: an attempt after a transient error loads everything again."""
        started = time.monotonic()
        offered = [handed]

        def once() -> Callable[[], None] | None:
            given, offered[0] = offered[0], None
            return self._run_once(document_id, step, queue, given)

        then = patiently(once, worth_s=lambda: time.monotonic() - started,
                         transient=outcomes.TRANSIENT, what=f"{_stage_name(step)} of document {document_id}")
        if then is not None:
            then()

    def _run_once(self, document_id: str, step, queue: str, handed: Handed | None = None) -> Callable[[], None] | None:
        """The step in one transaction; what is to run next in this thread, if anything (:meth:`_run`)."""
        handed = handed or Handed()
        with self.sessions() as session:
            document = handed.document if handed.document is not None and handed.document.id == document_id else None
            if document is not None:
                session.add(document)  # as the stage before committed it: no SELECT
            else:
                document = session.get(Document, document_id)
            if document is None:
                log.warning("document %s not found", document_id)
                return None
            carry = Carry(data=handed.data, reading=handed.reading, moved=handed.moved)
            following = step(session, document, carry)
            handoffs = [hand_on(session, following.actor_name, document_id)] \
                if isinstance(following, dramatiq.Actor) else []
            cleared = clear_crashes(session, document)  # a crash-prone read has ended: its count goes with this commit
            session.commit()
        if cleared:
            crashes_cleared(document_id)
        if handoffs:
            if self._in_place(following, queue):
                onward = Handed(document, carry.data, carry.reading)
                return lambda: self._continue(following, handoffs[0], document_id, onward)
            self._dispatch(handoffs)
        elif following is not None:  # the publication: a message still, so that a burst's events go in few rounds
            following(document_id)
        return None

    def _in_place(self, following: dramatiq.Actor, queue: str) -> bool:
        """Whether this thread may run ``following`` itself rather than enqueue it: in a worker (its relay
        runs, ``Taken.deferring``), for a stage on the queue this thread serves.

        Each message costs the chain its enqueue, fetch and acknowledgement, the middleware around it and,
        after a quiet spell, up to ``worker_poll_ms`` before an idle consumer looks again; a stage run in
        place costs none of them. A scan's extract (after ``ocr_document``, on the OCR queue) is still
        enqueued: the OCR pool does not take the fast queue's work."""
        return self.taken.deferring and following.queue_name == queue

    def _continue(self, following: dramatiq.Actor, owed, document_id: str, handed: Handed | None = None) -> None:
        """Run the next stage's actor function here, as its message would (a permanent error is recorded
        by the actor's own failure, workers/guard.py ``meet_errors``), handed what the stage before had
        (:class:`Handed`). A crash-prone stage (the read) is
        counted by StageGuard first, as around its own message (``arm_here``); where it cannot be, it is
        enqueued. A transient error (after the stage's own patience, infra/patience.py) enqueues the
        stage's message: its retries, backoff and ``give_up`` are then that actor's, as before.

        The hand-off's row, committed with the step before, stands for the message until the stage has
        run: a process that dies meanwhile leaves it to a relay, which enqueues it after GRACE, as for a
        message the broker lost. Once the stage has run, the row goes with the relay's next batch
        (``Taken``), as an enqueued one's."""
        token = correlation_id.set(document_id)  # its log lines carry the document, as in its own message
        try:
            counted = handed is not None and handed.counted
            if following.options.get("crash_prone") and (
                    self.guard is None or not self.guard.arm_here(document_id, counted=counted)):
                self._dispatch([owed])
                return
            stage_handover(following.actor_name)
            following.fn(document_id, handed=handed)
        except SkipMessage:  # it crashed its reader too often: failed by the guard, nothing to run
            pass
        except Exception as exc:
            if not outcomes.is_transient(exc):
                raise
            log.warning("%s of document %s run in place met %s (%s); its message takes it on",
                        following.actor_name, document_id, type(exc).__name__, exc)
            if self.guard is not None:
                self.guard.release_here(document_id)  # its message counts it again
            self._dispatch([owed])
            return
        finally:
            correlation_id.reset(token)
        self.taken.add([owed.id])

    def _dispatch(self, handoffs) -> None:
        dispatch(handoffs, broker=self.broker, sessions=self.sessions, taken=self.taken)

    def _fail(self, session, document: Document, exc: BaseException) -> None:
        if DocumentStatus(document.status) in {DocumentStatus.DECIDED, DocumentStatus.FAILED,
                                               DocumentStatus.NOT_A_CERTIFICATE}:
            return
        status, code, message = outcomes.final_status(exc)
        move(document, status, code=code, message=message)
        add_event(session, account_id=document.account_id, type=EventType.for_document_status(status),
                  dedupe_key=f"document:{document.id}:{document.attempt}:{status.value}", document_id=document.id,
                  data={**document_ref(session, document), "status": status.value,
                        "error": {"code": code, "message": message}})
        session.commit()

    def _next_after(self, status: DocumentStatus):
        """Re-send the step after ``status`` (a redelivered message whose work was already done)."""
        if status == DocumentStatus.EXTRACTED:
            return self.actors.score_document
        if status in {DocumentStatus.DECIDED, DocumentStatus.FAILED, DocumentStatus.NOT_A_CERTIFICATE}:
            return self._publish
        return None

    def _publish(self, _document_id: str | None = None) -> None:
        """Ask for the outbox to be published. The events are committed already: with the broker
        away, the relay (workers/handoffs.py) publishes them once they have waited a few seconds."""
        try:
            self.actors.publish_events.send()
        except Exception as exc:
            if not outcomes.is_transient(exc):
                raise
            log.warning("the broker is away (%s: %s): the relay publishes the events", type(exc).__name__, exc)

