"""The holder's reports from the database: one function per report, called by the API
(``/v1/reports/…``) and the CLI (``coi report …``) alike. See docs/reports.md.

Each report covers one account's decided certificates. Unless ``every_certificate`` is asked for,
an insured counts once per holder and project: by its newest certificate (a renewal replaces the
certificate it renews)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from infra.models import Certificate, Document, Evaluation, OutboxEvent
from infra.search import decision_column, holder_column
from pipeline.events import DECISIONS, EventType
from pipeline.expiry import relevant_policies
from pipeline.reports import STANDINGS, WINDOWS, Table, period_start, standing, summary, window
from pipeline.scoring.model import normalise
from pipeline.states import DocumentStatus

NO_HOLDER = "(no requirement set)"


@dataclass(frozen=True)
class Decided:
    """A decided certificate as the reports see it."""

    document_id: str
    filename: str
    received_at: datetime
    holder: str
    project: str
    insured: str
    decision: str | None
    expires_on: date | None
    certificate: dict[str, Any]
    checks: list[dict[str, Any]]


def decided_certificates(session: Session, account_id: int, as_of: date, *, every_certificate: bool = False
                         ) -> list[Decided]:
    """The account's decided certificates (with the decision standing on ``as_of``), newest first;
    only the newest per insured, holder and project unless ``every_certificate``."""
    rows = session.execute(
        select(Document.id, Document.filename, Document.created_at, Document.tag, Certificate.data,
               Certificate.expires_on, decision_column(as_of), holder_column(), _current_checks())
        .join(Certificate, Certificate.document_id == Document.id)
        .where(Document.account_id == account_id, Document.status == DocumentStatus.DECIDED.value)
        .order_by(Document.created_at.desc(), Document.id)).all()
    seen: set[tuple[str, str, str]] = set()
    found = []
    for document_id, filename, received, tag, data, expires_on, decision, holder, checks in rows:
        insured = ((data or {}).get("insured") or {}).get("name") or ""
        item = Decided(document_id, filename, received, holder or NO_HOLDER, tag or "", insured, decision,
                       expires_on, data or {}, checks or [])
        key = (item.holder, item.project, normalise(insured) or document_id)
        if every_certificate or key not in seen:
            seen.add(key)
            found.append(item)
    return found


def _current_checks():
    return (select(Evaluation.checks).where(Evaluation.document_id == Document.id, Evaluation.current)
            .order_by(Evaluation.id.desc()).limit(1).scalar_subquery())


# -- compliance -----------------------------------------------------------------------------------


COMPLIANCE_COLUMNS = ("holder", "project", "standing", "insured", "decision", "expires_on", "days_left",
                      "open_checks", "document_id", "filename", "received_on")


def compliance_report(session: Session, account_id: int, as_of: date, within: int = 30, *,
                      every_certificate: bool = False) -> tuple[Table, Table]:
    """Where each certificate stands on ``as_of`` (compliant, non-compliant, needs review, expired,
    expiring within ``within`` days), by holder and project: the list, and the counts."""
    items = decided_certificates(session, account_id, as_of, every_certificate=every_certificate)
    rows, states = [], []
    for item in items:
        state = standing(item.decision, item.expires_on, as_of, within)
        states.append((item.holder, item.project, state))
        rows.append((item.holder, item.project, state.value, item.insured, item.decision, item.expires_on,
                     (item.expires_on - as_of).days if item.expires_on else None, _open_checks(item.checks),
                     item.document_id, item.filename, item.received_at.date()))
    rows.sort(key=lambda r: (r[0], r[1], STANDINGS.index(r[2]), r[3].lower(), r[8]))
    title = f"Compliance on {as_of} (expiring: within {within} days)"
    return (Table(title, COMPLIANCE_COLUMNS, rows),
            Table(f"{title}: counts", ("holder", "project", *(s.value for s in STANDINGS), "total"),
                  summary(states)))


def _open_checks(checks: list[dict[str, Any]]) -> str:
    """The checks that did not pass and are not waived, by code (and line), e.g. ``limit_below_minimum
    (general_liability)``; the full sentences are in ``coi status``."""
    open_ = [c for c in checks if c.get("outcome") != "pass" and not c.get("waiver")]
    return "; ".join(f"{c.get('code')}" + (f" ({c['line']})" if c.get("line") else "") for c in open_)


# -- expirations -------------------------------------------------------------------------------------


EXPIRATION_COLUMNS = ("window", "expiration", "days_left", "holder", "project", "insured", "line", "policy_number",
                      "insurer", "decision", "document_id")


def expirations_report(session: Session, account_id: int, as_of: date, within: int = 90) -> Table:
    """The policies that end after ``as_of`` and within ``within`` days, soonest first, each in its
    30/60/90-day window. Only the policies the holder's requirement set looks at (every dated policy
    when the certificate was scored without one), of each insured's newest certificate."""
    rows = []
    for item in decided_certificates(session, account_id, as_of):
        insurers = {i.get("letter"): i.get("name") for i in item.certificate.get("insurers") or []}
        for policy in relevant_policies(item.certificate, item.checks):
            ends = date.fromisoformat(policy["expiration"])
            days_left = (ends - as_of).days
            if not 0 < days_left <= within:
                continue
            rows.append((window(days_left, tuple(sorted({*WINDOWS, within}))), ends, days_left, item.holder,
                         item.project, item.insured, policy.get("line") or "other", policy.get("policy_number"),
                         insurers.get(policy.get("insurer_letter")), item.decision, item.document_id))
    rows.sort(key=lambda r: (r[1], r[3], r[4], r[5].lower(), r[6]))
    return Table(f"Policies ending after {as_of} and by {as_of + timedelta(days=within)}", EXPIRATION_COLUMNS, rows)


# -- decisions over time --------------------------------------------------------------------------


def decisions_report(session: Session, account_id: int, since: date, until: date, period: str = "month") -> Table:
    """Decisions announced per period (``day``, ``week`` or ``month``) from ``since`` to ``until``,
    both included: approvals, rejections, reviews asked for, and reviewers' overrides. A certificate
    counts again when its decision changes (a renewal, a waiver, a changed requirement set)."""
    period_start(since, period)  # refuses an unknown period before any query
    kinds = [*(e.value for e in DECISIONS), EventType.OVERRIDDEN.value]
    start = datetime.combine(since, datetime.min.time(), tzinfo=timezone.utc)
    end = datetime.combine(until + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    events = session.execute(select(OutboxEvent.type, OutboxEvent.created_at).where(
        OutboxEvent.account_id == account_id, OutboxEvent.type.in_(kinds),
        OutboxEvent.created_at >= start, OutboxEvent.created_at < end)).all()
    columns = ("period", "approved", "rejected", "needs_review", "overridden")
    counts: dict[date, dict[str, int]] = {}
    for kind, moment in events:
        moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
        row = counts.setdefault(period_start(moment.astimezone(timezone.utc).date(), period),
                                dict.fromkeys(columns[1:], 0))
        row[kind.rsplit(".", 1)[1]] += 1
    return Table(f"Decisions per {period}, {since} to {until}", (*columns, "total"),
                 [(start_day, *c.values(), sum(c.values())) for start_day, c in sorted(counts.items())])
