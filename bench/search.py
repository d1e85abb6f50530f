"""How long a search takes on a large account: ``python -m bench.search --count 20000 [--pg URL]``.

Makes a throwaway database (a new PostgreSQL database on the server of ``--pg``, or a SQLite file),
fills one account with ``--count`` decided documents whose certificates vary the demo certificate
(insured, policy numbers, description; a second account of the same size beside it), then times
``infra.search.search_documents`` for a few kinds of query (median and worst of ``--runs``, in ms),
then the compliance and expirations reports of the whole account.
The documents are written with plain INSERTs, the search entries by ``pipeline.search`` as the
workers write them. Figures in docs/reports.md."""

from __future__ import annotations

import argparse
import copy
import random
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

WORDS = ("Blue Heron Copperline Johnson Harbor Northwind Granite Summit Cedar Falcon Ridge Valley Atlas Beacon "
         "Pioneer Keystone Liberty Meridian Oakwood Prairie").split()
TRADES = "Roofing Plumbing Electric Glazing Paving Masonry Painting Landscaping Drywall Concrete".split()
QUERIES = {
    "no words (newest 50)": None,
    "policy number fragment": "{fragment}",
    "two words": "{first} {trade}",
    "misspelt insured": "{misspelt}",
    "no match": "Zebra Quarry",
}


def fill(session: Session, count: int, seed: int) -> dict[str, str]:
    from infra.models import Account, Certificate, Document, Evaluation, SearchEntry
    from pipeline.search import search_fields
    from samples.certificates import demo_certificate

    rng = random.Random(seed)
    base = demo_certificate()
    today = date.today()
    sample = {}
    for slug in ("big", "other"):
        session.add(Account(slug=slug, name=slug))
        session.flush()
        account_id = session.scalar(select(Account.id).where(Account.slug == slug))
        for start in range(0, count, 1000):
            documents, certificates, evaluations, entries = [], [], [], []
            for i in range(start, min(start + 1000, count)):
                document_id = uuid.uuid4().hex
                cert = copy.deepcopy(base)
                first, trade = rng.choice(WORDS), rng.choice(TRADES)
                cert["insured"]["name"] = f"{first} {rng.choice(WORDS)} {trade} {i}"
                for p in cert["policies"]:
                    p["policy_number"] = f"{p['line'][:2].upper()}{rng.randrange(10**7):07d}"
                ends = today + timedelta(days=rng.randrange(-60, 400))
                documents.append({"id": document_id, "account_id": account_id, "source": "email",
                                  "filename": "coi.pdf", "content_type": "application/pdf",
                                  "sha256": document_id + document_id, "size": 1, "storage_key": "k",
                                  "status": "decided", "attempt": 1, "crashes": 0})
                certificates.append({"document_id": document_id, "data": cert, "expires_on": ends})
                evaluations.append({"document_id": document_id, "trigger": "initial:1", "current": True,
                                    "decision": rng.choice(["approved", "approved", "rejected", "needs_review"]),
                                    "checks": [], "as_of": today})
                entries.append({"document_id": document_id, "account_id": account_id,
                                **search_fields(cert).as_row()})
                if slug == "big" and not sample and i == count // 2:
                    number = cert["policies"][0]["policy_number"]
                    name = cert["insured"]["name"]
                    sample = {"fragment": number[3:8], "first": first, "trade": trade,
                              "misspelt": name.split()[0][:-1] + " " + trade[:2] + trade[3:]}
            for model, rows in ((Document, documents), (Certificate, certificates), (Evaluation, evaluations),
                                (SearchEntry, entries)):
                session.execute(insert(model), rows)
    session.commit()
    return sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20000, help="documents per account")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg", default=None, help="a PostgreSQL server URL to make the database on; else SQLite")
    args = parser.parse_args()

    from infra.db import make_engine, make_sessionmaker, migrate
    from infra.models import Account
    from infra.search import DocumentQuery, search_documents

    folder = Path(tempfile.mkdtemp(prefix="coi-bench-search-"))
    name = f"coi_bench_{uuid.uuid4().hex[:8]}"
    if args.pg:
        import psycopg

        with psycopg.connect(args.pg, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = args.pg.rsplit("/", 1)[0] + f"/{name}"
    else:
        url = f"sqlite:///{folder / 'coi.db'}"
    try:
        migrate(url)
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        with sessions() as session:
            sample = fill(session, args.count, args.seed)
        if args.pg:  # as autovacuum leaves a table: statistics, and the GIN indexes' pending lists merged
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        print(f"{engine.dialect.name}, {args.count} documents in each of two accounts")
        with sessions() as session:
            account_id = session.scalar(select(Account.id).where(Account.slug == "big"))
        for label, pattern in QUERIES.items():
            q = pattern.format(**sample) if pattern else None
            times, total = [], 0
            for _ in range(args.runs):
                with sessions() as session:
                    started = time.perf_counter()
                    page = search_documents(session, account_id, DocumentQuery(q=q))
                    times.append((time.perf_counter() - started) * 1000)
                    total = page.total
            print(f"  {label:24} q={q!r:28} {total:6} found   median {statistics.median(times):7.1f} ms   "
                  f"worst {max(times):7.1f} ms")
        from infra.reports import compliance_report, expirations_report

        for label, report in (("compliance report", lambda se: compliance_report(se, account_id, date.today())),
                              ("expirations, 90 days", lambda se: expirations_report(se, account_id, date.today()))):
            times = []
            for _ in range(max(1, args.runs // 2)):
                with sessions() as session:
                    started = time.perf_counter()
                    report(session)
                    times.append((time.perf_counter() - started) * 1000)
            print(f"  {label:24} median {statistics.median(times):7.1f} ms   worst {max(times):7.1f} ms")
        engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if args.pg:
            import psycopg

            with psycopg.connect(args.pg, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
