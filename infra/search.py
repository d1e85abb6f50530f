"""Listing and searching an account's documents (``GET /v1/documents``, ``coi documents``).

The index: one ``search_entries`` row per document with a certificate, written by
``index_certificate`` when the certificate is extracted and each time it is scored. A search phrase
splits into terms (pipeline/search.py) that must all match:

- PostgreSQL: a term matches as a substring (``ILIKE``, served by the pg_trgm GIN index) or as
  English words (full text, so "rewired" finds "rewiring"). When nothing matches so, a term without
  a digit may match as a misspelling (trigram word similarity of at least ``FUZZY``: "Jonson" finds
  "Johnson"); the page says it is approximate.
- SQLite (the embedded default): FTS5 with the trigram tokenizer: a term of three characters or
  more matches as a substring, case-insensitively; shorter ones by ``LIKE``. No misspellings.

Everything is scoped to one account: the account id is part of every query built here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, literal, literal_column, or_, select, text
from sqlalchemy.orm import Session

from infra.models import (Certificate, Document, Evaluation, Holder, Override, RequirementSet, SearchEntry, utcnow)
from infra.repo import dialect_insert_of
from pipeline.search import search_fields, search_terms

FUZZY = 0.5  # pg_trgm word similarity a misspelt term needs: "Jonson" in "Johnson Plumbing" is 0.5
MAX_LIMIT = 200
STATUSES = ("received", "stored", "reading", "extracted", "decided", "failed", "not_a_certificate")
DECISIONS = ("approved", "rejected", "needs_review")


class QueryError(ValueError):
    """A filter that cannot be used, with a sentence that says why."""


@dataclass(frozen=True)
class DocumentQuery:
    """Filters of a listing; every one given must hold. Dates are inclusive."""

    q: str | None = None
    status: str | None = None
    decision: str | None = None
    tag: str | None = None
    holder: str | None = None
    expires_before: date | None = None
    expires_after: date | None = None
    received_after: date | None = None
    received_before: date | None = None
    limit: int = 50
    offset: int = 0

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in STATUSES:
            raise QueryError(f"status is one of {', '.join(STATUSES)}, not {self.status!r}.")
        if self.decision is not None and self.decision not in DECISIONS:
            raise QueryError(f"decision is one of {', '.join(DECISIONS)}, not {self.decision!r}.")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise QueryError(f"limit is 1 to {MAX_LIMIT}, not {self.limit}.")
        if self.offset < 0:
            raise QueryError("offset cannot be negative.")


@dataclass(frozen=True)
class DocumentRow:
    """One document as a listing shows it."""

    document_id: str
    filename: str
    source: str
    tag: str | None
    status: str
    decision: str | None
    received_at: datetime
    insured: str | None
    holder: str | None
    policy_numbers: str
    expires_on: date | None
    expiry_state: str | None
    error_code: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"document_id": self.document_id, "filename": self.filename, "source": self.source,
                "tag": self.tag, "status": self.status, "decision": self.decision,
                "received_at": self.received_at.isoformat(), "insured": self.insured, "holder": self.holder,
                "policy_numbers": self.policy_numbers,
                "expires_on": self.expires_on.isoformat() if self.expires_on else None,
                "expiry_state": self.expiry_state, "error_code": self.error_code}


@dataclass(frozen=True)
class DocumentPage:
    total: int
    limit: int
    offset: int
    documents: list[DocumentRow] = field(default_factory=list)
    approximate: bool = False  # nothing matched as written: these match the words as close spellings

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "limit": self.limit, "offset": self.offset, "approximate": self.approximate,
                "documents": [d.to_dict() for d in self.documents]}


# -- keeping the index ---------------------------------------------------------------------------


def index_certificate(session: Session, document: Document, certificate: dict[str, Any]) -> None:
    """Write (or rewrite) the document's search entry from its certificate, in the caller's transaction:
    one upsert, which leaves an entry that already says the same untouched (its ``updated_at`` too)."""
    row = search_fields(certificate).as_row()
    statement = _upsert_statement(session.get_bind().dialect.name, tuple(row))
    session.execute(statement, {"document_id": document.id, "account_id": document.account_id,
                                "updated_at": utcnow(), **row})


# The upsert of each (dialect, fields), built once with a bound parameter per column: every certificate
# the chain extracts writes one, and building it (a condition per field) cost more Python than sending it.
_UPSERT: dict[tuple[str, tuple[str, ...]], Any] = {}


def _upsert_statement(dialect: str, names: tuple[str, ...]):
    statement = _UPSERT.get((dialect, names))
    if statement is None:
        columns = SearchEntry.__table__.c
        insert = dialect_insert_of(dialect, SearchEntry).values(
            {name: bindparam(name, type_=columns[name].type) for name in ("document_id", "account_id", "updated_at",
                                                                         *names)})
        statement = insert.on_conflict_do_update(
            index_elements=["document_id"], set_={key: insert.excluded[key] for key in [*names, "updated_at"]},
            where=or_(*(columns[key].is_distinct_from(insert.excluded[key]) for key in names)))
        _UPSERT[(dialect, names)] = statement
    return statement


# -- the standing decision and holder, in SQL --------------------------------------------------


def decision_column(day: date) -> ColumnElement:
    """The decision in force on ``day``: a reviewer's active override, else the current evaluation's
    (the SQL twin of workers.decisions.standing_decision)."""
    override = (select(Override.decision).where(Override.document_id == Document.id,
                                                or_(Override.until.is_(None), Override.until >= day))
                .order_by(Override.id.desc()).limit(1).scalar_subquery())
    return func.coalesce(override, _evaluated(Evaluation.decision))


def holder_column() -> ColumnElement:
    """The holder whose requirement set the current evaluation used."""
    return (select(Holder.name).select_from(Evaluation)
            .join(RequirementSet, RequirementSet.id == Evaluation.requirement_set_id)
            .join(Holder, Holder.id == RequirementSet.holder_id)
            .where(Evaluation.document_id == Document.id, Evaluation.current)
            .order_by(Evaluation.id.desc()).limit(1).scalar_subquery())


def _evaluated(column) -> ColumnElement:
    return (select(column).where(Evaluation.document_id == Document.id, Evaluation.current)
            .order_by(Evaluation.id.desc()).limit(1).scalar_subquery())


# -- searching ----------------------------------------------------------------------------------


def search_documents(session: Session, account_id: int, query: DocumentQuery, *, today: date | None = None
                     ) -> DocumentPage:
    """The account's documents matching ``query``, newest first, one page of them and the total.

    On PostgreSQL, when no document matches the words as written, the words are looked for as
    misspellings (``DocumentPage.approximate`` says so): checking every candidate for a close
    spelling costs far more than an exact match, so it is done only when the exact one found nothing."""
    day = today or date.today()
    decision = decision_column(day).label("decision")
    holder = holder_column().label("holder_name")
    conditions = _conditions(session, account_id, query, decision, holder, fuzzy=False)
    total = _count(session, conditions)
    approximate = False
    if not total and _dialect(session) == "postgresql" and any(_fuzzy(t) for t in search_terms(query.q)):
        conditions = _conditions(session, account_id, query, decision, holder, fuzzy=True)
        total = _count(session, conditions)
        approximate = bool(total)
    newest = (Document.created_at.desc(), Document.id)
    page = session.scalars(_joined(select(Document.id)).where(*conditions).order_by(*newest)
                           .limit(query.limit).offset(query.offset)).all() if total else []
    rows = session.execute(  # the decision and holder of the page's documents only
        _joined(select(Document, SearchEntry, Certificate.expires_on, Certificate.expiry_state, decision, holder))
        .where(Document.id.in_(page)).order_by(*newest)).all() if page else []
    return DocumentPage(total or 0, query.limit, query.offset, [
        DocumentRow(document_id=d.id, filename=d.filename, source=d.source, tag=d.tag, status=d.status,
                    decision=decided, received_at=d.created_at,
                    insured=_first(entry.insured) if entry else None,
                    holder=held or (_first(entry.holder) if entry else None),
                    policy_numbers=entry.policy_numbers if entry else "", expires_on=expires_on,
                    expiry_state=expiry_state if expires_on else None, error_code=d.error_code)
        for d, entry, expires_on, expiry_state, decided, held in rows], approximate)


def _joined(statement: Select) -> Select:
    return (statement.select_from(Document).outerjoin(SearchEntry, SearchEntry.document_id == Document.id)
            .outerjoin(Certificate, Certificate.document_id == Document.id))


def _count(session: Session, conditions: list[ColumnElement]) -> int:
    """How many documents meet the conditions (the decision and holder are worked out only when a
    condition names them)."""
    return session.scalar(_joined(select(func.count(Document.id))).where(*conditions)) or 0


def _first(joined: str) -> str | None:
    """A name out of "name ; address" as pipeline.search joins them."""
    return joined.split(" ; ", 1)[0] or None


def _conditions(session: Session, account_id: int, query: DocumentQuery, decision, holder, *, fuzzy: bool
                ) -> list[ColumnElement]:
    sqlite = _dialect(session) == "sqlite"
    found: list[ColumnElement] = [Document.account_id == account_id]
    if query.status:
        found.append(Document.status == query.status)
    if query.decision:
        found.append(decision == query.decision)
    if query.tag:
        found.append(Document.tag == query.tag)
    if query.holder:
        found.append(func.lower(holder) == query.holder.lower())
    if query.expires_before:
        found.append(Certificate.expires_on <= query.expires_before)
    if query.expires_after:
        found.append(Certificate.expires_on >= query.expires_after)
    if query.received_after:
        found.append(func.date(Document.created_at) >= query.received_after if sqlite
                     else Document.created_at >= _start(query.received_after))
    if query.received_before:
        found.append(func.date(Document.created_at) <= query.received_before if sqlite
                     else Document.created_at < _start(query.received_before, 1))
    terms = search_terms(query.q)
    if terms:
        match = _sqlite_match(terms) if sqlite else _postgres_match(session, terms, fuzzy=fuzzy)
        # apart, so the planner matches the text by its indexes first (within the account's entries)
        found.append(Document.id.in_(select(SearchEntry.document_id).where(SearchEntry.account_id == account_id,
                                                                          match)))
    return found


def _start(day: date, plus: int = 0) -> datetime:
    from datetime import time, timedelta, timezone

    return datetime.combine(day + timedelta(days=plus), time(), tzinfo=timezone.utc)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _sqlite_match(terms: list[str]) -> ColumnElement:
    long = [t for t in terms if len(t) >= 3]  # the trigram tokenizer needs three characters
    conditions = [SearchEntry.body.icontains(t, autoescape=True) for t in terms if len(t) < 3]
    if long:
        phrase = " ".join('"' + t.replace('"', '""') + '"' for t in long)
        conditions.append(SearchEntry.id.in_(select(text("rowid")).select_from(text("search_fts"))
                                             .where(text("search_fts MATCH :phrase").bindparams(phrase=phrase))))
    return and_(*conditions)


def _postgres_match(session: Session, terms: list[str], *, fuzzy: bool) -> ColumnElement:
    """Every term as written (a substring, or English words), or, ``fuzzy``, every term without a
    digit as a close spelling (a correctly spelt word is one too) and the others as written."""
    body = SearchEntry.body
    if fuzzy:
        session.execute(text("SELECT set_config('pg_trgm.word_similarity_threshold', :t, true)"), {"t": str(FUZZY)})
        return and_(*[literal(t).op("<%")(body) if _fuzzy(t) else body.icontains(t, autoescape=True) for t in terms])
    english = literal_column("'english'")  # as the index has it: ix_search_entries_body_fts
    words = func.to_tsvector(english, body)
    return and_(*[or_(body.icontains(t, autoescape=True), words.op("@@")(func.plainto_tsquery(english, t)))
                  for t in terms])


def _fuzzy(term: str) -> bool:
    """A misspelling is looked for in words, not numbers: a policy or NAIC number matches exactly."""
    return len(term) >= 3 and not any(c.isdigit() for c in term)
