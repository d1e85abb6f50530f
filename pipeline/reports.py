"""The holder's reports as plain data: where each certificate stands, expiration windows, decisions
per period, and one CSV writer for all of them. Pure: no I/O (infra/reports.py gathers the rows).

A report is a ``Table``: its title, its columns and rows of plain values. The CLI draws it, the API
sends it as JSON or CSV, and both get the CSV from ``to_csv``, so they agree row for row."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

WINDOWS = (30, 60, 90)  # expiration windows, in days


class Standing(StrEnum):
    """Where a certificate stands on a day, for the compliance report (first that holds wins)."""

    EXPIRED = "expired"  # its relevant policy ended on or before the day
    NON_COMPLIANT = "non_compliant"  # rejected
    NEEDS_REVIEW = "needs_review"
    EXPIRING = "expiring"  # approved, and ends within the report's window
    COMPLIANT = "compliant"  # approved

    @property
    def words(self) -> str:
        return self.value.replace("_", "-" if self is Standing.NON_COMPLIANT else " ")


STANDINGS = tuple(Standing)


def standing(decision: str | None, expires_on: date | None, as_of: date, within: int) -> Standing:
    """Where a decided certificate stands on ``as_of``. A policy ending on the day no longer covers
    it (the scoring rule); an approved certificate ending within ``within`` days is expiring."""
    if expires_on is not None and expires_on <= as_of:
        return Standing.EXPIRED
    if decision == "rejected":
        return Standing.NON_COMPLIANT
    if decision != "approved":
        return Standing.NEEDS_REVIEW
    if expires_on is not None and (expires_on - as_of).days <= within:
        return Standing.EXPIRING
    return Standing.COMPLIANT


def window(days_left: int, windows: tuple[int, ...] = WINDOWS) -> int | None:
    """The smallest window (30, 60, 90 days) a policy ending in ``days_left`` days falls in."""
    return next((w for w in sorted(windows) if 0 < days_left <= w), None)


def period_start(day: date, period: str) -> date:
    """The first day of the day's period: ``day``, ``week`` (Monday) or ``month``."""
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    raise ValueError(f"a period is day, week or month, not {period!r}")


@dataclass(frozen=True)
class Table:
    """A report: a title, the column names, rows of plain values (str, int, date or None)."""

    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        return [{c: _plain(v) for c, v in zip(self.columns, row)} for row in self.rows]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def to_csv(table: Table) -> str:
    """RFC 4180 CSV with a header row; dates as YYYY-MM-DD, nothing as an empty cell. A cell that
    begins like a formula (=, +, -, @) gets a leading apostrophe so a spreadsheet shows it as text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if v is None else _safe_cell(str(_plain(v))) if isinstance(v, str) else _plain(v)
                         for v in row])
    return out.getvalue()


def _safe_cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def summary(rows: list[tuple[str, str, Standing]], standings: tuple[Standing, ...] = STANDINGS
            ) -> list[tuple[Any, ...]]:
    """Counts per (holder, project): one column per standing and a total, sorted by holder, project."""
    counts: dict[tuple[str, str], dict[Standing, int]] = {}
    for holder, project, state in rows:
        counts.setdefault((holder, project), dict.fromkeys(standings, 0))[state] += 1
    return [(holder, project, *(c[s] for s in standings), sum(c.values()))
            for (holder, project), c in sorted(counts.items())]
