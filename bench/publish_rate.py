"""The publish lock's limit: how many events a second one publisher publishes.

    .venv/bin/python -m bench.publish_rate [--events 2000] [--accounts 1] [--webhooks 0] [--size 4000]

Publishing is one process at a time for the whole deployment (``coi:publish:lock``, workers/publish.py):
whatever the number of workers, no more events a second leave the outbox than one publisher manages.
This writes ``--events`` unpublished decision-sized events (``--size`` bytes of data each) spread over
``--accounts`` accounts with ``--webhooks`` active webhooks each, on the bench's PostgreSQL and Redis
(``bench/rig.py``), then runs ``publish_pending`` once, in this process, holding the lock as a worker
does (the deliveries are enqueued on a StubBroker, not sent; the rows of their hand-offs deleted as a
worker's relay deletes them, in one statement at the end): events a second (wall), CPU milliseconds per
event of this process, SQL statements per event and commits per event.
PostgreSQL and Redis run on the same machine and their time is in the wall figure, not the CPU one.
"""

from __future__ import annotations

import argparse
import time

from bench import rig


def fill_outbox(app, events: int, accounts: int, webhooks: int, size: int) -> None:
    from infra.admin import add_account
    from infra.models import Account, OutboxEvent, Webhook, new_id, utcnow

    with app.sessions() as session:
        ids = []
        for n in range(accounts):
            add_account(session, f"pub{n}", f"Publish {n}")
            ids.append(session.query(Account.id).filter(Account.slug == f"pub{n}").scalar())
        for account_id in ids:
            for n in range(webhooks):
                session.add(Webhook(account_id=account_id, url=f"http://127.0.0.1:9/hook{n}", secret="x" * 32,
                                    created_at=utcnow()))
        filler = "x" * size
        session.add_all(OutboxEvent(id=new_id(), account_id=ids[n % len(ids)], type="coi.certificate.approved",
                                    dedupe_key=f"bench:{n}", data={"decision": "approved", "filler": filler},
                                    created_at=utcnow()) for n in range(events))
        session.commit()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--accounts", type=int, default=1)
    parser.add_argument("--webhooks", type=int, default=0, help="active webhooks per account")
    parser.add_argument("--size", type=int, default=4000, help="bytes of data per event (a decision is a few KB)")
    args = parser.parse_args(argv)
    load_before = rig.load_note()
    with rig.services() as env:
        import redis
        from dramatiq.brokers.stub import StubBroker

        from infra.bootstrap import App
        from infra.broker import BrokerHandle
        from infra.settings import Settings
        from workers.entry import declare
        from workers.dispatch import Taken
        from workers.publish import publish_pending

        app = App(Settings(database_url=env["COI_DATABASE_URL"], broker_url=env["COI_BROKER_URL"],
                           storage_url=env["COI_STORAGE_URL"], var_dir=env["COI_VAR_DIR"]))
        app.__dict__["broker_handle"] = BrokerHandle(StubBroker(), "stub://")  # deliveries queue here, unsent
        app.__dict__["redis"] = client = redis.Redis.from_url(env["COI_BROKER_URL"])
        try:
            actors = declare(app)
            fill_outbox(app, args.events, args.accounts, args.webhooks, args.size)
            with rig.StatementCounter(app.engine) as statements:
                wall, cpu = time.perf_counter(), time.process_time()
                taken = Taken()
                taken.deferring = True  # as in a worker, whose relay deletes the enqueued hand-offs' rows
                published = publish_pending(broker=actors.broker, sessions=app.sessions, settings=app.settings,
                                            redis=client, taken=taken)
                taken.flush(app.sessions)  # the relay's DELETE, in the time and the count
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        finally:
            app.close()
    print(rig.table(["events", "accounts", "webhooks each", "events/s (wall)", "CPU ms per event",
                     "SQL statements per event", "commits per event"],
                    [[published, args.accounts, args.webhooks, published / wall, 1000 * cpu / published,
                      statements.count / published, statements.commits / published]]))
    print(f"machine: {rig.load_note()} (before: {load_before})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
