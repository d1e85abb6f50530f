"""The extract step's history query loads, of each earlier certificate of the account, the keys the
history signals compare, newest first, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, event, select, update

from infra.admin import add_account
from infra.models import Certificate, Document
from infra.repo import add_document
from pipeline.signals.history import COMPARED
from workers import trust
from workers.trust import account_history

pytestmark = pytest.mark.integration

WHOLE = {"form": {"type": "ACORD 25"}, "revision_number": "3", "insured": {"name": "Sainz LLC", "address": None},
         "insurers": [{"letter": "A", "name": "AUTO OWNERS INS CO", "naic": "18988"}],
         "policies": [{"policy_number": "03540988", "limits": {"each_occurrence": 1000000}}],
         "evidence": {"/policies/0/expiration": {"page": 1, "bbox": [1, 2, 3, 4]}}}


def _document(session, account_id: int, n: int, data, compared=None) -> Document:
    """A document and its certificate; ``compared`` None is a row written before migration 0012."""
    values = {"source": "email", "filename": f"{n}.pdf", "content_type": "application/pdf", "size": 3,
              "storage_key": f"k{n}"}
    document_id, _ = add_document(session, account_id=account_id, sha256=f"{n:064x}", values=values)
    session.add(Certificate(document_id=document_id, data=data, compared=compared))
    session.flush()
    return session.get(Document, document_id)


def test_given_earlier_certificates_then_their_compared_keys_newest_first(app):
    with app.sessions() as session:
        account = add_account(session, "acme", "Acme")
        other = add_account(session, "other", "Other")
        _document(session, account.id, 1, WHOLE)
        _document(session, account.id, 2, {**WHOLE, "revision_number": None, "insurers": []})
        _document(session, account.id, 3, {"policies": [{"policy_number": "X12345"}]})
        _document(session, account.id, 4, ["not", "an", "object"])
        _document(session, other.id, 5, {**WHOLE, "revision_number": "9"})
        new = _document(session, account.id, 6, {**WHOLE, "revision_number": "7"})
        session.commit()

        history = account_history(session, new)
        limited = account_history(session, new, limit=2)

    cut = {key: WHOLE[key] for key in COMPARED}
    assert history == [{"policies": [{"policy_number": "X12345"}]},
                       {**{key: value for key, value in cut.items() if key != "revision_number"}, "insurers": []},
                       cut]
    assert limited == history[:1]  # the row that is no object takes its place in the limit, as before


def test_given_rows_with_their_compared_keys_then_those_are_read_and_older_rows_still_from_their_data(app):
    """The column is what is read when the row has it (here it differs from the data on purpose, to
    show which was read); a row written before it (NULL) is read from its data, in the same order
    and limit, and one whose data is no object is still left out."""
    kept = {"revision_number": "from the column", "insured": {"name": "Kept Co"}}
    with app.sessions() as session:
        account = add_account(session, "acme", "Acme")
        _document(session, account.id, 1, WHOLE)  # before the migration
        _document(session, account.id, 2, WHOLE, compared=kept)
        _document(session, account.id, 3, ["not", "an", "object"])  # before the migration
        _document(session, account.id, 4, WHOLE, compared={})  # nothing to compare, written since
        new = _document(session, account.id, 5, WHOLE, compared=kept)
        session.commit()

        history = account_history(session, new)
        limited = account_history(session, new, limit=3)

    cut = {key: WHOLE[key] for key in COMPARED}
    assert history == [{}, kept, cut]
    assert limited == [{}, kept]


def _history_statements(app, read) -> tuple[Any, list[str]]:
    """What ``read`` returned, and the history statements it sent with their ``seen`` parameter."""
    sent: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if "certificates.compared" in statement:
            sent.append(statement)

    engine = app.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        return read(), sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_given_a_history_read_once_then_a_later_read_sends_only_the_newer_rows_keys(app, monkeypatch):
    """The second read of the account's history (new certificates meanwhile) is one statement, and the
    rows held are not sent again: one is changed behind the process's back here (a certificate row is
    never changed) to show which was read. Without that change, it is what a read from nothing gives."""
    monkeypatch.setattr(trust, "HELD", trust.HeldHistories())
    with app.sessions() as session:
        account = add_account(session, "acme", "Acme")
        _document(session, account.id, 1, WHOLE, compared={"revision_number": "1"})
        _document(session, account.id, 2, WHOLE)  # before the migration: read from its data
        _document(session, account.id, 3, ["not", "an", "object"])
        first = _document(session, account.id, 4, WHOLE, compared={"revision_number": "4"})
        session.commit()
        cut = {key: WHOLE[key] for key in COMPARED}
        assert account_history(session, first) == [cut, {"revision_number": "1"}]
        _document(session, account.id, 5, WHOLE, compared={"revision_number": "5"})
        second = _document(session, account.id, 6, WHOLE, compared={"revision_number": "6"})
        session.commit()
        held, sent = _history_statements(app, lambda: account_history(session, second))
        session.execute(update(Certificate).where(Certificate.document_id == first.id)
                        .values(compared={"revision_number": "changed"}))
        session.commit()
        again = account_history(session, second)
        monkeypatch.setattr(trust, "HELD", trust.HeldHistories())
        afresh = account_history(session, second)

    assert held == [{"revision_number": "5"}, {"revision_number": "4"}, cut, {"revision_number": "1"}]
    assert len(sent) == 1  # one statement, as without the rows held
    assert again == held
    assert afresh == [{"revision_number": "5"}, {"revision_number": "changed"}, cut, {"revision_number": "1"}]


def test_given_a_row_committed_after_a_newer_one_was_held_then_it_is_in_the_history(app, monkeypatch):
    """A certificate whose id was taken before the newest held one's and committed after it was read
    (two workers' transactions) is still read: the whole history is read again."""
    monkeypatch.setattr(trust, "HELD", trust.HeldHistories())
    with app.sessions() as session:
        account = add_account(session, "acme", "Acme")
        late = _document(session, account.id, 1, WHOLE, compared={"revision_number": "late"})
        _document(session, account.id, 2, WHOLE, compared={"revision_number": "2"})
        new = _document(session, account.id, 3, WHOLE, compared={"revision_number": "3"})
        session.commit()
        late_id = session.scalars(select(Certificate.id).where(Certificate.document_id == late.id)).one()
        session.execute(delete(Certificate).where(Certificate.id == late_id))  # as if not committed yet
        session.commit()
        assert account_history(session, new) == [{"revision_number": "2"}]
        session.add(Certificate(id=late_id, document_id=late.id, data=WHOLE, compared={"revision_number": "late"}))
        session.commit()
        history, sent = _history_statements(app, lambda: account_history(session, new))

    assert history == [{"revision_number": "2"}, {"revision_number": "late"}]
    assert len(sent) == 2  # the read with the rows held, then the whole history


def test_given_a_document_read_again_under_its_old_certificate_id_then_its_new_keys_are_read(app, monkeypatch):
    """`coi retry` deletes a document's certificate and the reader writes it again; SQLite gives the new row the
    highest rowid back, the old one's id. The row written again is told apart by its time: its keys are read,
    not the ones the process held."""
    monkeypatch.setattr(trust, "HELD", trust.HeldHistories())
    with app.sessions() as session:
        account = add_account(session, "acme", "Acme")
        earlier = _document(session, account.id, 1, WHOLE, compared={"revision_number": "old"})
        new = _document(session, account.id, 2, WHOLE, compared={"revision_number": "2"})
        session.commit()
        row = session.scalars(select(Certificate).where(Certificate.document_id == earlier.id)).one()
        old_id, old_time = row.id, row.created_at
        assert account_history(session, new) == [{"revision_number": "old"}]
        session.execute(delete(Certificate).where(Certificate.id == old_id))
        session.add(Certificate(id=old_id, document_id=earlier.id, data=WHOLE, compared={"revision_number": "new"},
                                created_at=old_time + timedelta(seconds=1)))
        session.commit()
        history = account_history(session, new)

    assert history == [{"revision_number": "new"}]


def test_given_more_certificates_than_held_then_the_least_recently_read_accounts_are_let_go(app, monkeypatch):
    """Room for three certificates: account a (one earlier certificate), then b (one), then c (two) are
    read; a is let go to hold c, b stays. What each read returns is the history all the same."""
    held = trust.HeldHistories(rows=3)
    monkeypatch.setattr(trust, "HELD", held)
    with app.sessions() as session:
        news = []
        for n, (slug, earlier) in enumerate((("a", 1), ("b", 1), ("c", 2))):
            account = add_account(session, slug, slug.upper())
            for k in range(earlier):
                _document(session, account.id, 10 * n + k, WHOLE, compared={"revision_number": f"{slug}{k}"})
            news.append(_document(session, account.id, 10 * n + 9, WHOLE, compared={}))
        session.commit()
        histories = [account_history(session, new) for new in news]
        kept = held.held_accounts(session.get_bind())

    assert histories == [[{"revision_number": "a0"}], [{"revision_number": "b0"}],
                         [{"revision_number": "c1"}, {"revision_number": "c0"}]]
    assert kept == [news[1].account_id, news[2].account_id]
