"""One dramatiq Middleware for what every stage of the chain needs around it: a correlation id on
its log lines, the crash count of a read that may kill its process, and its errors met with their
outcome (workers/outcomes.py): a transient one retried by dramatiq, any other recorded as the
final status of the document (message, upload) the actor works on.

An actor opts in with its options (``dramatiq.actor(..., failure=..., crash_prone=True)``):

- ``failure``: ``failure(subject_id, exc)`` records a permanent error of the actor's first
  argument (a document, message or upload id) as its final status. The error is met inside the
  call, not in ``after_process_message``: whatever an actor raises, dramatiq's Retries middleware
  sees it first and would dead-letter the message (and send ``on_retry_exhausted``) for an error
  that is already a recorded outcome. So this middleware wraps such an actor's function once, when
  it is declared (``after_declare_actor``); everything else happens in the message hooks.
- ``crash_prone``: the stage parses the file's bytes with native code (PDFium, Poppler, OpenCV).
  Before it runs, its document's ``crashes`` is counted up and committed; after it ends, however it
  ends, the count is cleared: with the stage's own last commit when the stage says so
  (:func:`clear_crashes`, :func:`crashes_cleared`: workers/actors.py does for every document stage),
  else by the guard in a transaction of its own at the end of the message. A count left behind is a
  worker process that died in the read: a document that did that ``max_crashes`` times is failed as
  ``reader_crashed`` instead of being handed to yet another worker.

The middleware takes the database (``sessions``) and the failure recorder it needs, no more.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from contextvars import Token
from typing import Any

import dramatiq
from dramatiq.middleware import SkipMessage
from sqlalchemy import Integer, String, bindparam, select, update
from sqlalchemy.orm.attributes import set_committed_value

from infra.db import skip_disk_sync
from infra.logging import correlation_id
from infra.models import Document
from pipeline.errors import ReaderCrashed
from pipeline.states import DocumentStatus
from workers import outcomes

# Built once (the statements around every read: their construction and cache key are not redone each time)
_DOCUMENT = bindparam("document_id", type_=String)
COUNT_UP = (update(Document).where(Document.id == _DOCUMENT, Document.crashes < bindparam("max_crashes", type_=Integer))
            .values(crashes=Document.crashes + 1).returning(Document.crashes)
            .execution_options(synchronize_session=False))
# The same count, giving back the counted row as a Document (every column, as the database has it): the split
# hands it to the read it runs in place, which then does not load it again (workers/actors.py ``Handed``).
_UNDER_MAX = Document.crashes < bindparam("max_crashes", type_=Integer)
COUNT_UP_ROW = (update(Document).where(Document.id == _DOCUMENT, _UNDER_MAX)
                .values(crashes=Document.crashes + 1).returning(Document)
                .execution_options(synchronize_session=False))
# The same, moving a stored document to ``moved_to`` with its count (``count_with(..., moving=...)``): only from
# ``stored`` (a document in any other status is neither counted nor moved here).
COUNT_UP_MOVED = (update(Document).where(Document.id == _DOCUMENT, _UNDER_MAX,
                                         Document.status == DocumentStatus.STORED.value)
                  .values(crashes=Document.crashes + 1, status=bindparam("moved_to", type_=String))
                  .returning(Document).execution_options(synchronize_session=False))
ZERO = update(Document.__table__).where(Document.__table__.c.id == _DOCUMENT).values(crashes=0)  # the stage's own
CLEAR = update(Document).where(Document.id == _DOCUMENT, Document.crashes > 0).values(crashes=0)

log = logging.getLogger(__name__)

MAX_CRASHES = 3  # reads of one document a worker process may die in before the document is failed

# The document this worker thread's crash-prone message counted up (``armed``) and, once the stage's own
# transaction that cleared its count committed, that id again (``cleared``): see clear_crashes.
_THREAD = threading.local()

Failure = Callable[[str, BaseException], None]


def crashed_too_often(crashes: int) -> ReaderCrashed:
    return ReaderCrashed(f"Reading this file stopped the reader {crashes} times (a damaged or hostile file), so it "
                         "is not read again; send a fresh copy of the certificate (printed to PDF again, or scanned).")


def clear_crashes(session: Any, document: Any) -> bool:
    """Clear ``document``'s crash count with what the stage commits, when this thread's message counted it
    up (a crash-prone stage whose read has ended: the caller is past it). Called before the stage's last
    commit, with the document loaded in ``session``; True when the count is in it. The caller then says
    :func:`crashes_cleared` once that commit is made, and the guard has no transaction of its own to
    make at the end; if the commit fails, the guard clears the count as before.

    The UPDATE (built once) is sent at once on the session's connection and the loaded document is told
    its count as already written: no unit of work to flush for it at the commit."""
    if getattr(_THREAD, "armed", None) != document.id:
        return False
    if document.crashes:
        session.connection().execute(ZERO, {"document_id": document.id})
        set_committed_value(document, "crashes", 0)
    return True


def crashes_cleared(document_id: str) -> None:
    """The stage's transaction that :func:`clear_crashes` put the count in has committed."""
    if getattr(_THREAD, "armed", None) == document_id:
        _THREAD.cleared = document_id


def meet_errors(fn: Callable[..., Any], failure: Failure) -> Callable[..., Any]:
    """``fn`` with a permanent error recorded by ``failure`` (and not raised); transient ones raise."""

    @functools.wraps(fn)
    def guarded(subject_id: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(subject_id, *args, **kwargs)
        except Exception as exc:
            if outcomes.is_transient(exc):
                raise
            log.warning("%s failed: %s", getattr(fn, "__name__", "the stage"), exc, exc_info=not hasattr(exc, "code"))
            failure(subject_id, exc)
            return None

    return guarded


class StageGuard(dramatiq.Middleware):
    """Correlation id, crash counting and error-to-status mapping for the chain's actors."""

    def __init__(self, sessions: Callable[[], Any], failure: Failure, *, max_crashes: int = MAX_CRASHES):
        self.sessions = sessions
        self.failure = failure  # records a document's permanent error (a crash-prone stage's refusal)
        self.max_crashes = max_crashes
        self._lock = threading.Lock()
        self._running: dict[str, tuple[Token, str | None]] = {}  # message id -> (correlation token, armed document)

    @property
    def actor_options(self) -> set[str]:
        return {"failure", "crash_prone"}

    def after_declare_actor(self, broker, actor) -> None:
        failure = actor.options.get("failure")
        if failure is not None:
            actor.fn = meet_errors(actor.fn, failure)

    def before_process_message(self, broker, message) -> None:
        actor = broker.get_actor(message.actor_name)
        subject = message.args[0] if message.args and isinstance(message.args[0], str) else message.message_id
        token = correlation_id.set(subject)
        with self._lock:
            self._running[message.message_id] = (token, None)
        _THREAD.message_id = message.message_id
        if actor.options.get("crash_prone") and message.args:
            self._arm(subject, message.message_id)

    def arm_here(self, document_id: str, *, counted: bool = False) -> bool:
        """Count up a crash-prone stage that this worker thread runs in place, inside the message it is
        running (workers/actors.py ``Stages._continue``), as :meth:`before_process_message` counts one
        that has a message of its own; the count is cleared the same ways. False when it cannot be
        counted here (no message of this guard running, or one document counted already): the stage is
        to be enqueued instead. A document already at ``max_crashes`` is failed and SkipMessage raised.
        ``counted``: the caller's own transaction, committed, counted it up already (:meth:`count_with`)."""
        message_id = self._message_here()
        if message_id is None:
            return False
        if counted:
            self._armed(document_id, message_id)
        else:
            self._arm(document_id, message_id)
        return True

    def count_with(self, session: Any, document_id: str, *, moving: DocumentStatus | None = None) -> Document | None:
        """Count up, in the caller's transaction, the crash-prone stage this thread is about to run in place
        once that transaction has committed (the split, before its one document's read): the read's count
        is then committed with the split, not in a transaction of its own. The document as counted when
        counted (its row's every column, given back by the UPDATE, loaded in ``session``): the caller,
        once it has committed, says ``arm_here(document_id, counted=True)``, and may hand the document to
        the stage. None when it cannot be counted here (as :meth:`arm_here`) or the document is at
        ``max_crashes``: nothing was written, and ``arm_here`` decides as before. The conditional UPDATE
        is :meth:`_arm`'s; it commits with the caller's transaction, which waits for the disk.

        ``moving``: the status a stored document is moved to in the same UPDATE (the read's ``reading``, which
        the read would otherwise commit in a transaction of its own before it reads); a document that is
        not ``stored`` is then neither counted nor moved (None)."""
        if self._message_here() is None:
            return None
        if moving is None:
            return session.execute(COUNT_UP_ROW, {"document_id": document_id,
                                                  "max_crashes": self.max_crashes}).scalars().first()
        return session.execute(COUNT_UP_MOVED, {"document_id": document_id, "max_crashes": self.max_crashes,
                                                "moved_to": moving.value}).scalars().first()

    def _message_here(self) -> str | None:
        """The message of this guard this thread is running, when no document is counted in it yet."""
        message_id = getattr(_THREAD, "message_id", None)
        if message_id is None or getattr(_THREAD, "armed", None) is not None:
            return None
        with self._lock:
            return message_id if message_id in self._running else None

    def release_here(self, document_id: str) -> None:
        """A stage counted by :meth:`arm_here` is handed to a message of its own after all (a transient
        error): its count is cleared now, before that message counts it again, not at the end of this one
        (which could clear the other's count while it reads)."""
        message_id = getattr(_THREAD, "message_id", None)
        if message_id is None or getattr(_THREAD, "armed", None) != document_id:
            return
        with self._lock:
            token, _ = self._running.get(message_id, (None, None))
            self._running[message_id] = (token, None)
        _THREAD.armed = _THREAD.cleared = None
        self._disarm(document_id)

    def after_process_message(self, broker, message, *, result=None, exception=None) -> None:
        self._end(message.message_id)

    def after_skip_message(self, broker, message) -> None:
        self._end(message.message_id)

    # -- crash counting ---------------------------------------------------------------------

    def _arm(self, document_id: str, message_id: str) -> None:
        """Count the read up before it runs, in one conditional UPDATE (the database adds, so two
        workers given the same document both count); a document already at ``max_crashes`` is failed.

        The count's commit does not wait for the disk (``skip_disk_sync``): what it guards against is
        our process dying in the read, and the count is then safe in PostgreSQL, committed and seen by
        every worker. Only PostgreSQL crashing within a fraction of a second loses it, and then one
        death goes uncounted: a file that kills its reader is read once more before it is failed. A
        bound moved by one, not a document lost or decided twice."""
        with self.sessions() as session:
            skip_disk_sync(session)
            counted = session.execute(COUNT_UP, {"document_id": document_id,
                                                 "max_crashes": self.max_crashes}).first()
            session.commit()
            if counted is None:  # missing, or crashed too often: which one, read only on this rare path
                crashes = session.scalar(select(Document.crashes).where(Document.id == document_id))
                if crashes is None:
                    return  # the stage says so in its log
                self.failure(document_id, crashed_too_often(crashes))
                raise SkipMessage(f"document {document_id} crashed its reader {crashes} times")
        self._armed(document_id, message_id)

    def _armed(self, document_id: str, message_id: str) -> None:
        """``document_id``'s count is up and committed: it is cleared when the message ends, unless the stage's
        own commit clears it first (:func:`clear_crashes`)."""
        with self._lock:
            token, _ = self._running[message_id]
            self._running[message_id] = (token, document_id)
        _THREAD.armed, _THREAD.cleared = document_id, None

    def _end(self, message_id: str) -> None:
        with self._lock:
            token, armed = self._running.pop(message_id, (None, None))
        cleared = getattr(_THREAD, "cleared", None)
        _THREAD.armed = _THREAD.cleared = _THREAD.message_id = None
        try:
            if armed is not None and armed != cleared:  # not cleared with the stage's own commit
                self._disarm(armed)
        finally:
            if token is not None:
                correlation_id.reset(token)

    def _disarm(self, document_id: str) -> None:
        """The read ended without killing its process: whatever count is left came from deaths that were
        not this file's doing (another document's crash takes down every thread of its process), so
        it is cleared, not counted down by one. Its commit does not wait for the disk: lost with a
        PostgreSQL crash, the count stays one high, as when the database is away here (below)."""
        try:
            with self.sessions() as session:
                skip_disk_sync(session)
                session.execute(CLEAR, {"document_id": document_id})
                session.commit()
        except Exception:  # the database away: the count stays one high, which only a crash would reach
            log.warning("could not count the end of a read of document %s", document_id, exc_info=True)
