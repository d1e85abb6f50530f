"""What the chaos run saw (``bench.chaos``): each letter's fate read from the database while the run
goes on, and the figures of the report (sent, accepted, decided, failed with reason, lost,
duplicated, recovery after each fault)."""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pipeline.states import FINAL

FINAL_DOCUMENT_EVENTS = ("coi.certificate.approved", "coi.certificate.rejected", "coi.certificate.needs_review",
                         "coi.document.failed", "coi.document.not_a_certificate")
FINAL_MESSAGE_EVENTS = ("coi.message.no_attachment", "coi.message.failed")
FINAL_MESSAGE_STATUSES = ("no_attachment", "failed")


@dataclass
class Letter:
    """One email of the run: its kind, its bytes, and what became of it."""

    number: int
    kind: str  # born_digital, scan, cover_letter, broken_pdf, no_attachment
    data: bytes
    answers: list[str] = field(default_factory=list)  # every SMTP answer, "250", "451", "conn"
    accepted_at: float | None = None
    final_at: float | None = None  # first seen final in the database (wall clock)
    state: str = "not seen"  # the last state seen: "message:received", "document:reading", or the outcome
    ids: list[str] = field(default_factory=list)  # its message and document ids, to find in the logs


@dataclass
class Fault:
    kind: str  # worker, redis, postgres, storage
    down_at: float
    up_at: float


def letter_states(app) -> dict[int, tuple[bool, str, list[str]]]:
    """Per letter number (from the Subject ``chaos <seed> #<n> …``): (final?, state) of its message
    rows and their documents. A letter is final when every message row it made is no_attachment or
    failed, or split with every document final."""
    from sqlalchemy import select

    from infra.models import Document, InboundMessage, MessageDocument

    with app.sessions() as session:
        rows = session.execute(
            select(InboundMessage.subject, InboundMessage.id, InboundMessage.status, Document.status,
                   Document.error_code, Document.id)
            .outerjoin(MessageDocument, MessageDocument.message_id == InboundMessage.id)
            .outerjoin(Document, Document.id == MessageDocument.document_id)).all()
    messages: dict[int, dict[str, list]] = {}
    ids: dict[int, list[str]] = {}
    for subject, message_id, message_status, document_status, error_code, document_id in rows:
        number = _number(subject)
        if number is not None:
            ids.setdefault(number, []).extend(i for i in (message_id, document_id) if i)
            outcome = f"failed:{error_code}" if document_status == "failed" else document_status
            messages.setdefault(number, {}).setdefault(message_id, [message_status]).append(outcome)
    return {number: (*_state(per_message), ids[number]) for number, per_message in messages.items()}


def _number(subject: str | None) -> int | None:
    parts = (subject or "").split()
    if len(parts) >= 3 and parts[0] == "chaos" and parts[2].startswith("#"):
        return int(parts[2][1:])
    return None


def _state(per_message: dict[str, list]) -> tuple[bool, str]:
    """(final?, the state: "document:reading" while open; once final, the outcome, e.g. "decided",
    "failed:unreadable_document", "no_attachment")."""
    outcomes = []
    for message_status, *documents in per_message.values():
        if message_status in FINAL_MESSAGE_STATUSES:
            outcomes.append(message_status)
            continue
        documents = [d for d in documents if d is not None]
        if message_status != "split" or not documents:
            return False, f"message:{message_status}"
        open_ = [d for d in documents if d.split(":")[0] not in FINAL]
        if open_:
            return False, f"document:{open_[0]}"
        outcomes += documents
    return True, "+".join(sorted(set(outcomes)))


def observe(app, letters: list[Letter]) -> bool:
    """One look at the database: marks letters seen final. False when the database did not answer."""
    try:
        states = letter_states(app)
    except Exception:  # PostgreSQL down or coming back
        return False
    now = time.time()
    for letter in letters:
        final, state, letter.ids = states.get(letter.number, (False, "not seen", []))
        letter.state = state
        if final and letter.final_at is None:
            letter.final_at = now
    return True


def settled(app, letters: list[Letter]) -> bool:
    """Every accepted letter final, every final event published, no notification still to send."""
    from sqlalchemy import func, select

    from infra.models import Notification, OutboxEvent

    if not observe(app, letters) or any(l.accepted_at and l.final_at is None for l in letters):
        return False
    try:
        with app.sessions() as session:
            unpublished = session.scalar(select(func.count()).select_from(OutboxEvent).where(
                OutboxEvent.published_at.is_(None)))
            unsent = session.scalar(select(func.count()).select_from(Notification).where(
                Notification.status.in_(("pending", "sending"))))
    except Exception:
        return False
    return unpublished == 0 and unsent == 0


def outcomes(app, slug: str) -> dict[str, Any]:
    """Decisions, failures with reasons, and every duplicate the run can see: two final events for
    one document or message in the outbox, one event twice on the stream, one notice mailed twice."""
    from sqlalchemy import select

    from infra.models import Document, InboundMessage, Notification, OutboxEvent

    with app.sessions() as session:
        events = session.execute(select(OutboxEvent.type, OutboxEvent.document_id, OutboxEvent.message_id,
                                        OutboxEvent.created_at, OutboxEvent.published_at)).all()
        failed = session.execute(select(Document.error_code, Document.error_message)
                                 .where(Document.status == "failed")).all()
        failed_messages = session.execute(select(InboundMessage.reason)
                                          .where(InboundMessage.status == "failed")).all()
        notices = Counter(session.scalars(select(Notification.status)).all())
        unsent = session.execute(select(Notification.recipient, OutboxEvent.document_id, OutboxEvent.data,
                                        OutboxEvent.id).join(OutboxEvent, OutboxEvent.id == Notification.event_id)
                                 .where(Notification.status.in_(("pending", "sending")))).all()
    per_document = Counter(d for t, d, _, _, _ in events if t in FINAL_DOCUMENT_EVENTS)
    per_message = Counter(m for t, _, m, _, _ in events if t in FINAL_MESSAGE_EVENTS)
    delays = [(p - c).total_seconds() for t, _, _, c, p in events
              if p is not None and t in FINAL_DOCUMENT_EVENTS + FINAL_MESSAGE_EVENTS]
    stream = Counter(json.loads(fields[b"event"])["id"] for _, fields in app.redis.xrange(f"coi:events:{slug}"))
    return {
        "final_events": dict(Counter(t for t, *_ in events if t in FINAL_DOCUMENT_EVENTS + FINAL_MESSAGE_EVENTS)),
        "failed_with_reason": dict(Counter(f"{code}: {message}" for code, message in failed)
                                   + Counter(f"message failed: {reason}" for (reason,) in failed_messages)),
        "duplicated_final_events": sum(n - 1 for n in per_document.values()) + sum(n - 1 for n in per_message.values()),
        "duplicated_on_stream": sum(n - 1 for n in stream.values()),
        "unpublished": sum(p is None for *_, p in events),
        "worst_publication_delay_s": round(max(delays, default=0.0), 1),
        "notifications": dict(notices),
        "unsent_keys": [(document_id or (data or {}).get("message_id") or event_id, recipient)
                        for recipient, document_id, data, event_id in unsent],
        **held_by_dead_workers(app.redis),
    }


def held_by_dead_workers(client, silent_ms: int = 10_000) -> dict[str, Any]:
    """Queue messages still held (unacknowledged) by workers silent for ``silent_ms``: a killed
    worker's messages, which wait for the broker's heartbeat timeout and a maintenance pass."""
    now_ms = time.time() * 1000
    beats = {worker.decode(): score for worker, score in client.zrange("dramatiq:__heartbeats__", 0, -1,
                                                                        withscores=True)}
    held, held_live, oldest = 0, 0, 0.0
    for key in client.scan_iter("dramatiq:__acks__.*"):
        worker = key.decode().removeprefix("dramatiq:__acks__.").split(".")[0]
        silent = now_ms - beats.get(worker, 0.0)
        if silent >= silent_ms:
            held += client.scard(key)
            oldest = max(oldest, silent)
        else:  # a live worker's: running, or waiting in its memory for a retry's time
            held_live += client.scard(key)
    return {"held_by_dead_workers": held, "held_by_live_workers": held_live,
            "dead_worker_silent_s": round(oldest / 1000, 1) if held else None,
            "queued_at_end": {queue: client.llen(f"dramatiq:{queue}") for queue in ("default", "ocr")},
            "delayed_at_end": sum(client.llen(f"dramatiq:{queue}.DQ") for queue in ("default", "ocr"))}


def duplicated_mail(messages) -> int:
    """Notices the sink got more than once: same reference (document or message), recipient, subject."""
    seen = Counter((m["X-COI-Reference"], m["X-Envelope-To"], m["Subject"]) for m in messages)
    return sum(n - 1 for n in seen.values())


def mailed_but_unsent(messages, unsent_keys) -> int:
    """Notification rows still pending or sending whose mail the sink already has: the sweep would
    send each again (a duplicate waiting to happen)."""
    got = {(m["X-COI-Reference"], m["X-Envelope-To"]) for m in messages}
    return sum(1 for key in unsent_keys if tuple(key) in got)


def recovery(letters: list[Letter], faults: list[Fault]) -> tuple[list[dict[str, Any]], float | None]:
    """Per fault: letters in flight while it lasted (accepted before its return, not final before it
    began), and the worst time from its return to the final state of a letter whose latest
    overlapping fault it was. ``None``: a stranded letter never reached a final state."""
    rows, worst = [], 0.0
    start = min((l.accepted_at for l in letters if l.accepted_at), default=0.0)
    blamed: dict[int, list[float | None]] = {i: [] for i in range(len(faults))}
    for letter in letters:
        if letter.accepted_at is None:
            continue
        end = letter.final_at if letter.final_at is not None else float("inf")
        overlapping = [i for i, f in enumerate(faults) if f.down_at < end and letter.accepted_at < f.up_at
                       and f.up_at <= end]
        if overlapping:
            last = max(overlapping, key=lambda i: faults[i].up_at)
            blamed[last].append(None if letter.final_at is None else letter.final_at - faults[last].up_at)
    for i, fault in enumerate(faults):
        waits = blamed[i]
        stranded = any(w is None for w in waits)
        fault_worst = None if stranded else max(waits, default=0.0)
        rows.append({"kind": fault.kind, "at_s": round(fault.down_at - start, 1),
                     "down_s": round(fault.up_at - fault.down_at, 1), "in_flight": len(waits),
                     "worst_recovery_s": None if fault_worst is None else round(fault_worst, 1)})
        worst = None if worst is None or fault_worst is None else max(worst, fault_worst)
    return rows, (None if worst is None else round(worst, 1))


def undisturbed_latency(letters: list[Letter], faults: list[Fault]) -> dict[str, float]:
    """Accepted → final for letters no fault overlapped: the yardstick for the recovery figures."""
    calm = [l.final_at - l.accepted_at for l in letters if l.accepted_at and l.final_at
            and not any(f.down_at < l.final_at and l.accepted_at < f.up_at for f in faults)]
    if not calm:
        return {"count": 0}
    ordered = sorted(calm)
    return {"count": len(calm), "median_s": round(statistics.median(calm), 1),
            "max_s": round(ordered[-1], 1)}


def text(report: dict[str, Any]) -> str:
    """The report as plain lines."""
    lines = [f"chaos run: {report['messages']} messages, seed {report['seed']}, {report['elapsed_s']} s "
             f"(logs in {report['logs']}; times from the first 250)",
             f"sent {report['sent']}  accepted (250) {report['accepted']}  accepted twice {report['accepted_twice']}  "
             f"never accepted {report['never_accepted']}",
             f"SMTP answers: {report['answers']}",
             f"decided {report['decided']}  failed {report['failed']}  not a certificate {report['not_a_certificate']}  "
             f"no attachment {report['no_attachment']}",
             "outcome by kind: " + "; ".join(f"{kind} {dict(n)}" for kind, n in sorted(report["by_kind"].items())),
             f"final events: {report['final_events']}",
             f"lost (accepted, no final state {report['settle_s']} s after the last return): {report['lost']}"]
    lines += [f"  #{n} {kind} accepted at {at} s: stuck at {state} ({', '.join(ids)})"
              for n, kind, at, state, ids in report["lost_letters"]]
    lines += [f"duplicated: {report['duplicated']} (final events {report['duplicated_final_events']}, "
              f"stream {report['duplicated_on_stream']}, notification mail {report['duplicated_mail']})",
              f"unpublished final events: {report['unpublished']}; worst publication delay "
              f"{report['worst_publication_delay_s']} s; notifications {report['notifications']}, "
              f"{report['mail_received']} mails received, {report['mailed_but_unsent']} of them for rows still "
              f"pending/sending (the sweep must not mail them again)",
              f"queue messages still held by dead workers: {report['held_by_dead_workers']} "
              f"(silent for {report['dead_worker_silent_s']} s), by live workers {report['held_by_live_workers']}; "
              f"still queued {report['queued_at_end']}, "
              f"delayed (retries) {report['delayed_at_end']}",
              "failed with reason:"]
    lines += [f"  {n} × {reason}" for reason, n in sorted(report["failed_with_reason"].items())]
    lines.append(f"faults ({len(report['faults'])}): {dict(Counter(f['kind'] for f in report['faults']))}; "
                 f"unexpected process exits {report['unexpected_exits']}")
    lines += [f"  at {f['at_s']:>5} s {f['kind']:<8} down {f['down_s']:>5} s, in flight {f['in_flight']:>3}, worst recovery "
              f"{'never' if f['worst_recovery_s'] is None else str(f['worst_recovery_s']) + ' s'}"
              for f in report["faults"]]
    worst = report["worst_recovery_s"]
    lines.append(f"worst recovery: {'never (a stranded letter did not finish)' if worst is None else f'{worst} s'}; "
                 f"undisturbed accepted→final: {report['undisturbed']}")
    lines.append(f"targets (0 lost, 0 duplicated, worst recovery <= 60 s): {'MET' if report['targets_met'] else 'MISSED'}")
    return "\n".join(lines)
