"""A worker holds each account's live requirement sets between scorings (workers/selection.py ``HeldSets``),
known good by the account's requirements version read in the scoring's first SELECT; a change of the account's
holders or sets made by any other process (the CLI, the desk, a hand-run statement) is seen by the next scoring,
on SQLite and PostgreSQL alike."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event, select, text

from infra.models import Document
from workers.decisions import score
from workers.on_file import on_file
from workers.selection import pick_requirement_sets

from test_on_file import REQUIREMENTS, _account, _certificate, _mailed

pytestmark = pytest.mark.integration

DAY = date(2026, 12, 7)
ROOT = Path(__file__).resolve().parents[2]


def _live_set_reads(engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute",  # LIVE_SETS, or on PostgreSQL LIVE_SETS_AND_WROTE
                 lambda _c, _cur, statement, *_: seen.append(statement)
                 if "requirement_sets.superseded_at IS NULL" in statement else None)
    return seen


def _in_another_process(app, code: str) -> None:
    """``code`` run by another Python process on the app's database (``sessions``: its own sessionmaker)."""
    script = ("import sys\nfrom infra.db import make_engine, make_sessionmaker\n"
              "sessions = make_sessionmaker(make_engine(sys.argv[1]))\n" + code)
    subprocess.run([sys.executable, "-c", script, app.settings.resolved_database_url()], cwd=ROOT, check=True,
                   timeout=120)


def _scored(app, account, n: int):
    document_id = _mailed_in(app, account, n).id
    with app.sessions() as session:
        # as the score stage loads the document and scores it (workers/actors.py ``_run_once``, ``_score``): indexed
        # by the extract, nothing written before the sets are read (sets read after a write are not held)
        document = session.get(Document, document_id)
        evaluation = score(session, document, DAY, f"initial:{n}", index=False, on_file=on_file(session, document))
        session.commit()
        return evaluation.requirement_set_id


def _holders_seen(app, account, n: int, values) -> list:
    """``values`` of each of the account's holders, as the scoring of its ``n``th certificate picks its sets."""
    document = _mailed_in(app, account, n)
    with app.sessions() as session:
        document = session.merge(document)
        selection = pick_requirement_sets(session, document, _certificate(n), DAY,
                                          on_file(session, document).requirements)
        return [values(h) for h in selection.holders]


def _mailed_in(app, account, n: int):
    with app.sessions() as session:
        return _mailed(session, session.merge(account), n, _certificate(n))


def test_given_held_sets_when_another_process_supersedes_them_then_the_next_scoring_uses_the_new_set(app):
    with app.sessions() as session:
        account = _account(session, "acme")
        session.expunge_all()
    reads = _live_set_reads(app.engine)
    first = _scored(app, account, 1)
    again = _scored(app, account, 2)
    assert first is not None and again == first
    assert len(reads) == 1  # the second scoring used the sets held since the first

    _in_another_process(app, (
        "from infra.admin import set_requirements\n"
        "with sessions() as session:\n"
        f"    set_requirements(session, 'acme', 'Site Owner', {{**{REQUIREMENTS!r}, 'signature_required': False}})\n"))
    after = _scored(app, account, 3)
    assert after not in (None, first)  # the set the other process wrote, not the held one
    assert len(reads) == 2
    assert _scored(app, account, 4) == after and len(reads) == 2  # held again, at the new version


def test_given_held_sets_when_another_process_edits_a_holder_in_place_then_the_next_scoring_sees_it(app):
    """A holder's aliases edited in place (as `coi holder alias` and the desk do), and a set's row changed by a
    hand-run UPDATE: each raises the version, in the writer's own transaction."""
    with app.sessions() as session:
        account = _account(session, "acme")
        session.expunge_all()
    _scored(app, account, 1)

    assert _holders_seen(app, account, 2, lambda h: h.aliases) == [None]
    _in_another_process(app, (
        "from infra.holder_aliases import account_holder, add_alias\n"
        "with sessions() as session:\n"
        "    add_alias(session, account_holder(session, 'acme', 'Site Owner'), 'Site Owner LLC', by='test')\n"))
    assert _holders_seen(app, account, 3, lambda h: h.aliases) == [["Site Owner LLC"]]

    _in_another_process(app, (
        "from sqlalchemy import text\n"
        "with sessions() as session:\n"
        "    session.execute(text(\"UPDATE requirement_sets SET name = 'renamed'\"))\n"
        "    session.commit()\n"))
    document = _mailed_in(app, account, 4)
    with app.sessions() as session:
        document = session.merge(document)
        selection = pick_requirement_sets(session, document, _certificate(4), DAY,
                                          on_file(session, document).requirements)
        assert selection.current.name == "renamed"


def test_given_an_account_object_written_back_whole_then_the_version_stays_the_databases(app):
    """The version is no attribute of Account: an Account the session held before a change, or a stale copy
    merged and committed, neither hides the change from the first SELECT nor sets the version back."""
    from infra.models import REQUIREMENTS_VERSION, Account

    def version() -> int:
        with app.engine.connect() as connection:
            return connection.scalar(select(REQUIREMENTS_VERSION))

    with app.sessions() as session:
        account = _account(session, "acme")
        session.expunge_all()
    raised = version()
    assert raised >= 2  # the holder, and its set
    _scored(app, account, 1)
    document = _mailed_in(app, account, 2)
    with app.sessions() as session:
        session.get(Account, account.id)  # held by this session, as it was
        with app.engine.connect() as other:
            other.execute(text("UPDATE holders SET address = 'Elsewhere'"))
            other.commit()
        document = session.merge(document)
        assert on_file(session, document).requirements.number > raised
    now = version()
    with app.sessions() as session:
        account.name = "Acme Renamed"
        session.merge(account)  # a copy read before every change above
        session.commit()
    assert version() == now


@pytest.mark.parametrize("write", ["orm flush", "bulk update", "hand-written sql", "every set superseded in bulk"])
def test_given_sets_read_where_they_were_changed_and_rolled_back_then_they_are_not_held(app, write):
    """A holder or a set changed in the scoring's own transaction, by the ORM's flush or by a statement its unit of
    work does not flush (a bulk ``update(...)`` through the session, hand-written SQL): the transaction reads the
    version it raised itself. Rolled back, a later change committed elsewhere reaches the same number: the next
    scoring gets the committed holder, not the undone one. With every set superseded the transaction reads no set
    at all, and still learns that it wrote."""
    from sqlalchemy import update

    from infra.models import Holder, RequirementSet, utcnow

    with app.sessions() as session:
        account = _account(session, "acme")
        session.expunge_all()
    _scored(app, account, 1)

    document = _mailed_in(app, account, 2)
    with app.sessions() as session:
        if write == "orm flush":
            session.scalars(select(Holder)).one().aliases = ["Undone Alias"]
            session.flush()
        elif write == "bulk update":
            session.execute(update(Holder).values(aliases=["Undone Alias"]))
        elif write == "hand-written sql":
            session.execute(text("""UPDATE holders SET aliases = '["Undone Alias"]'"""))
        else:
            session.execute(update(RequirementSet).values(superseded_at=utcnow()))
        document = session.get(Document, document.id)
        pick_requirement_sets(session, document, _certificate(2), DAY, on_file(session, document).requirements)
        session.rollback()
    with app.sessions() as session:
        session.scalars(select(Holder)).one().address = "Elsewhere"  # the same rise in the version
        session.commit()

    assert _holders_seen(app, account, 3, lambda h: (h.aliases, h.address)) == [(None, "Elsewhere")]
