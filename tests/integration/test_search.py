"""Searching and listing an account's documents (infra/search.py) on SQLite (FTS5) and PostgreSQL
(full text and pg_trgm), over certificates scored by the real scoring step."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from desk_data import account, certificate, db_app, decided  # noqa: F401 - db_app is a fixture
from infra.admin import override
from infra.search import DocumentQuery, QueryError, search_documents

pytestmark = pytest.mark.integration

TODAY = date(2026, 6, 1)


postgres_only = pytest.mark.parametrize("db_app", ["postgres"], indirect=True)


def found(app, account_id: int, **filters) -> list[str]:
    with app.sessions() as session:
        return [d.document_id for d in search_documents(session, account_id, DocumentQuery(**filters),
                                                        today=TODAY).documents]


@pytest.fixture
def acme(db_app):
    """Acme holds three certificates: Johnson Plumbing (policy GL-778812-04, approved, project
    lot-14), Blue Heron Roofing (rejected: $500,000 each occurrence) and Copperline Electric."""
    account_id = account(db_app, "acme")
    ends = TODAY + timedelta(days=200)
    ids = {
        "johnson": decided(db_app, account_id, certificate(insured="Johnson Plumbing Inc", policy="GL-778812-04",
                                                           expires=ends), as_of=TODAY, tag="lot-14"),
        "heron": decided(db_app, account_id, certificate(insured="Blue Heron Roofing LLC", policy="CGL1234567",
                                                         expires=TODAY + timedelta(days=20), occurrence=500_000),
                         as_of=TODAY),
        "copper": decided(db_app, account_id, certificate(insured="Copperline Electric Co", policy="CGL9990001",
                                                          expires=ends, description="Rewiring of the depot"),
                          as_of=TODAY),
    }
    return account_id, ids


def test_given_a_fragment_of_a_policy_number_then_its_certificate_is_found(db_app, acme):
    account_id, ids = acme
    assert found(db_app, account_id, q="778812") == [ids["johnson"]]
    assert found(db_app, account_id, q="gl-778812-04") == [ids["johnson"]]  # whole, any case
    assert found(db_app, account_id, q="CGL1234567") == [ids["heron"]]


def test_given_words_of_several_fields_then_every_word_must_match(db_app, acme):
    account_id, ids = acme
    assert found(db_app, account_id, q="heron roofing") == [ids["heron"]]
    assert found(db_app, account_id, q="depot copperline") == [ids["copper"]]  # description and insured
    assert set(found(db_app, account_id, q="Pioneer Mutual")) == set(ids.values())  # the insurer of all three
    assert found(db_app, account_id, q="12345") != []  # a NAIC number
    assert found(db_app, account_id, q="heron copperline") == []


@postgres_only
def test_given_a_misspelt_insured_then_postgres_finds_it_by_trigrams(db_app, acme):
    account_id, ids = acme
    assert found(db_app, account_id, q="Jonson Plumbng") == [ids["johnson"]]
    with db_app.sessions() as session:
        assert search_documents(session, account_id, DocumentQuery(q="Jonson")).approximate
        assert not search_documents(session, account_id, DocumentQuery(q="Johnson")).approximate
        assert search_documents(session, account_id, DocumentQuery(q="77881")).approximate is False
    assert found(db_app, account_id, q="Blu Herron") == [ids["heron"]]
    assert found(db_app, account_id, q="Zebra Quarry") == []  # similar to nothing


@postgres_only
def test_given_a_word_in_another_form_then_postgres_full_text_matches_its_stem(db_app, acme):
    account_id, ids = acme
    assert found(db_app, account_id, q="rewired") == [ids["copper"]]  # "Rewiring" in the description


def test_given_filters_then_only_documents_meeting_all_of_them_are_listed(db_app, acme):
    account_id, ids = acme
    assert found(db_app, account_id, decision="rejected") == [ids["heron"]]
    assert set(found(db_app, account_id, decision="approved")) == {ids["johnson"], ids["copper"]}
    assert found(db_app, account_id, tag="lot-14") == [ids["johnson"]]
    assert found(db_app, account_id, expires_before=TODAY + timedelta(days=30)) == [ids["heron"]]
    assert set(found(db_app, account_id, expires_after=TODAY + timedelta(days=30))) == {ids["johnson"], ids["copper"]}
    assert found(db_app, account_id, status="failed") == []
    assert len(found(db_app, account_id, holder="riverside depot partners lp")) == 3  # scored against, any case
    assert found(db_app, account_id, holder="Riverside") == []  # the exact name
    assert found(db_app, account_id, q="plumbing", decision="rejected") == []


def test_given_a_reviewers_override_then_the_listing_shows_the_decision_in_force(db_app, acme):
    account_id, ids = acme
    with db_app.sessions() as session:
        override(session, ids["heron"], "approved", by="rita@acme.test", reason="limit agreed")
    assert ids["heron"] in found(db_app, account_id, decision="approved")
    assert found(db_app, account_id, decision="rejected") == []


def test_given_pages_then_the_total_counts_every_match_and_pages_do_not_overlap(db_app, acme):
    account_id, ids = acme
    with db_app.sessions() as session:
        first = search_documents(session, account_id, DocumentQuery(limit=2), today=TODAY)
        second = search_documents(session, account_id, DocumentQuery(limit=2, offset=2), today=TODAY)
    assert (first.total, second.total) == (3, 3)
    assert len(first.documents) == 2 and len(second.documents) == 1
    assert {d.document_id for d in first.documents + second.documents} == set(ids.values())
    row = next(d for d in first.documents + second.documents if d.document_id == ids["johnson"])
    assert (row.insured, row.holder, row.tag, row.decision) == ("Johnson Plumbing Inc", "Riverside Depot Partners LP",
                                                                "lot-14", "approved")


def test_given_another_account_with_the_same_policy_then_its_documents_never_appear(db_app, acme):
    account_id, ids = acme
    other = account(db_app, "globex")
    theirs = decided(db_app, other, certificate(insured="Johnson Plumbing Inc", policy="GL-778812-04",
                                                expires=TODAY + timedelta(days=200)), as_of=TODAY)
    assert found(db_app, account_id, q="778812") == [ids["johnson"]]
    assert found(db_app, other, q="778812") == [theirs]
    assert found(db_app, other) == [theirs]
    assert theirs not in found(db_app, account_id)


def test_given_search_syntax_in_the_phrase_then_it_is_taken_as_text(db_app, acme):
    account_id, _ = acme
    for phrase in ('"', 'NEAR(zq xv)', "zq OR xv*", "%", "_", "' OR 1=1 --", "heron\" OR \"zq", "zq:xv^"):
        assert found(db_app, account_id, q=phrase) == [], phrase


def test_given_a_received_date_range_then_only_documents_received_in_it_are_listed(db_app, acme):
    account_id, _ = acme
    old = decided(db_app, account_id, certificate(insured="Old Timer Ltd", expires=TODAY + timedelta(days=50)),
                  as_of=TODAY, received=datetime(2025, 1, 15, 23, 30, tzinfo=timezone.utc))
    assert found(db_app, account_id, received_before=date(2025, 1, 15)) == [old]
    assert found(db_app, account_id, received_after=date(2025, 1, 15), received_before=date(2025, 1, 15)) == [old]
    assert old not in found(db_app, account_id, received_after=date(2025, 1, 16))


def test_given_an_unknown_status_then_the_query_says_which_there_are():
    with pytest.raises(QueryError, match="status is one of"):
        DocumentQuery(status="done")


def test_given_a_certificate_scored_again_with_another_value_then_search_finds_the_new_one(db_app, acme):
    """What a correction does: the certificate's value changes and it is scored again."""
    from sqlalchemy import select

    from infra.models import Certificate, Document
    from workers.decisions import score

    account_id, ids = acme
    with db_app.sessions() as session:
        certificate_row = session.scalars(select(Certificate).where(Certificate.document_id == ids["heron"])).one()
        data = {**certificate_row.data, "policies": [dict(p) for p in certificate_row.data["policies"]]}
        data["policies"][0]["policy_number"] = "NEW-555123"
        certificate_row.data = data
        score(session, session.get(Document, ids["heron"]), TODAY, trigger="correction:1")
        session.commit()
    assert found(db_app, account_id, q="555123") == [ids["heron"]]
    assert found(db_app, account_id, q="CGL1234567") == []
