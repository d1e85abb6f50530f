"""The extract step's history query loads, of each earlier certificate of the account, the keys the
history signals compare, newest first, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest

from infra.admin import add_account
from infra.models import Certificate, Document
from infra.repo import add_document
from pipeline.signals.history import COMPARED
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
