"""What one commit waits for on this machine's PostgreSQL, with and without the disk sync.

    .venv/bin/python -m bench.commit_wait [--transactions 300]

Each transaction is what the bookkeeping ones of the chain are (infra/db.py ``skip_disk_sync``): one
small UPDATE of a document's crash count and its commit, ``--transactions`` times in a row on one
connection, first as PostgreSQL commits by default (``synchronous_commit = on``: the commit returns once
the write-ahead log is on the disk), then with ``SET LOCAL synchronous_commit TO OFF`` first (one more
statement, no wait for the disk), then by default again. Wall milliseconds per transaction, median of
each run; the bench's PostgreSQL (``bench/rig.py``). A wait, not CPU: it is what a worker thread spends
idle per commit, and what a certificate's four such commits give back.
"""

from __future__ import annotations

import argparse
import time

from bench import rig


def per_transaction(sessions, document_id: str, count: int, unsynced: bool) -> float:
    from sqlalchemy import update

    from infra.db import skip_disk_sync
    from infra.models import Document

    spent = []
    with sessions() as session:
        for _ in range(count):
            started = time.perf_counter()
            if unsynced:
                skip_disk_sync(session)
            session.execute(update(Document).where(Document.id == document_id).values(crashes=Document.crashes + 1))
            session.commit()
            spent.append(time.perf_counter() - started)
    return 1000 * rig.median(spent)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transactions", type=int, default=300)
    args = parser.parse_args(argv)
    load_before = rig.load_note()
    with rig.postgres_database() as url:
        from infra.admin import add_account
        from infra.db import make_engine, make_sessionmaker
        from infra.models import Document, new_id, utcnow

        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        try:
            with sessions() as session:
                account = add_account(session, "wait", "Wait")
                document_id = new_id()
                session.add(Document(id=document_id, account_id=account.id, source="upload", filename="x.pdf",
                                     content_type="application/pdf", sha256="0" * 64, size=1, storage_key="x",
                                     status="received", attempt=0, crashes=0, created_at=utcnow(),
                                     updated_at=utcnow()))
                session.commit()
            rows = [[name, per_transaction(sessions, document_id, args.transactions, unsynced)]
                    for name, unsynced in (("synchronous_commit on", False), ("off (skip_disk_sync)", True),
                                           ("synchronous_commit on, again", False))]
        finally:
            engine.dispose()
    print(rig.table(["commit", "wall ms per transaction, median"], rows))
    print(f"machine: {rig.load_note()} (before: {load_before})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
