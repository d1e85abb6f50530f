"""What a born-digital certificate costs the database, door to decision event, on the StubBroker layer
(tests/stub/conftest.py): a count of SQL statements and commits, not a time, so that a change that reads or writes
more per certificate fails here. The same count on PostgreSQL is ``bench.chain_sql`` (docs/scaling.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import dramatiq
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import func, select

from infra.models import Document, Handoff
from infra.repo import hand_on
from pipeline.states import DocumentStatus
from samples.certificates import draw_certificate
from workers.handoffs import Taken, dispatch, relay_once

from test_chain_stub import mail, stream_types

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # bench/ is run from the checkout, not installed
from bench.chain_sql import StatementLog  # noqa: E402

# door 4, split 6 (the read's crash count up among them), read 2, extract 5, score 8, publish 4, and the
# one DELETE of the hand-offs' rows the relay sends for them: 30 on SQLite (was 64, then 46; score 19 → 10:
# what is on file for the document read in one SELECT, workers/on_file.py; then 37 → 35: the extract and
# the scoring run in place are handed the document the stage before committed, workers/actors.py
# ``Handed``; then 35 → 33: the split reads its message and the same mail's other rows in one SELECT,
# workers/actors.py ``MESSAGE_AND_SAME_MAIL``, and the publisher learns that an account has no webhook
# with its events, workers/publish.py ``UNPUBLISHED``; then 33 → 32: the read run in place is handed the
# document as the split's count up gave it back, workers/guard.py ``count_with``; then 32 → 31: the read's
# move to "reading" is in that count's UPDATE, workers/actors.py ``split_message``; then 31 → 30: the account's
# live requirement sets held per process while its requirements version is unchanged, workers/selection.py
# ``HeldSets``). On PostgreSQL 30: the
# two transactions that commit without waiting for the disk (infra/db.py ``skip_disk_sync``: the door's and
# the relay's hand-off DELETEs) say so in one statement each (the crash count up, a third, now commits with
# the split)
STATEMENTS_PER_CERTIFICATE = 30
# door 2, split 1 (with the count up of the read it runs in place and its move to "reading":
# workers/guard.py ``count_with``; each was a commit of its own), read 1 (the reading's hand-off with the
# count cleared: workers/guard.py ``clear_crashes``; was 3 with the guard's own clearing and the status
# "reading"), extract 1, score 1, publish 1, the relay's DELETE 1; two of them without a disk sync on PostgreSQL
COMMITS_PER_CERTIFICATE = 8


def count_handoffs(chain) -> int:
    with chain.app.sessions() as session:
        return session.scalar(select(func.count()).select_from(Handoff))


def test_given_a_born_digital_certificate_when_it_goes_door_to_event_then_it_costs_at_most_the_pinned_count(
        chain, certificate):
    mail(chain, draw_certificate(certificate, stamp="FIRST"))  # warm: the first of a process may read more
    chain.settle()

    with StatementLog(chain.app.engine) as log:  # the relay's own rounds are left out: they run on a clock
        mail(chain, draw_certificate(certificate, stamp="SECOND"))
        chain.settle()
        chain.actors.stages.taken.flush(chain.app.sessions)  # the relay's DELETE of the rows, counted here

    with chain.app.sessions() as session:
        statuses = session.scalars(select(Document.status)).all()
    assert statuses == [DocumentStatus.DECIDED.value] * 2
    assert stream_types(chain) == ["coi.certificate.approved"] * 2
    assert count_handoffs(chain) == 0
    listing = "\n".join(f"{s.actor} {' '.join(s.sql.split())[:120]}" for s in log.statements)
    assert len(log.statements) <= STATEMENTS_PER_CERTIFICATE, listing
    assert len(log.commit_log) <= COMMITS_PER_CERTIFICATE, [c.actor for c in log.commit_log]


def test_given_a_worker_defers_deleting_enqueued_hand_offs_when_its_relay_runs_then_their_rows_go_unsent_again(
        chain):
    broker = StubBroker()
    dramatiq.actor(lambda value: None, broker=broker, actor_name="noted")
    app = chain.app
    with app.sessions() as session:
        handoff = hand_on(session, "noted", "x")
        session.commit()
    taken = Taken()
    taken.deferring = True  # as the relay sets it when the worker boots

    assert dispatch([handoff], broker=broker, sessions=app.sessions, taken=taken)
    assert count_handoffs(chain) == 1  # enqueued; its row waits for the relay's round

    relay_once(broker=broker, sessions=app.sessions, settings=app.settings, redis=app.redis, taken=taken)

    assert count_handoffs(chain) == 0
    assert broker.queues["default"].qsize() == 1  # deleted, not enqueued a second time
