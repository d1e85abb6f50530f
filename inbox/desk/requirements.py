"""The desk's requirement sets (issue 17): listed per holder and tag with their effective dates (a
future-dated set beside the one in force), shown as YAML, edited by admins in a plain textarea,
checked against schemas/requirements.schema.json with every mistake shown on its line, and saved
through ``infra.admin.set_requirements`` (the same path as ``coi requirements set``, which rescores
the account's decided certificates). A holder's accepted alternative names are kept here too.
Viewers and reviewers read; another account's set or holder is a 404."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from inbox.desk.auth import DeskError, check_csrf, signed_in
from infra.admin import AdminError, set_requirements
from infra.models import Holder, RequirementSet
from infra.requirement_text import LineError, as_yaml, read_requirements
from infra.users import Person, Role
from workers.selection import in_force

if TYPE_CHECKING:
    from inbox.desk.pages import Kit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShownSet:
    """One live requirement set as the list shows it."""

    id: int
    name: str
    tag: str | None
    effective_from: date | None
    effective_until: date | None
    state: str  # in force | coming | ended | overlapped


@dataclass(frozen=True)
class HolderSets:
    holder: Holder
    groups: list[tuple[str | None, list[ShownSet]]]  # per tag (None first): its live sets, by start


def states(sets: list[RequirementSet], today: date) -> dict[int, str]:
    """Each live set of one holder and tag: ``in force`` (the one a certificate is scored against
    today), ``coming`` (starts later), ``ended``, or ``overlapped`` (in force, but a newer set is used)."""
    live = [s for s in sets if in_force(s, today)]
    used = max((s.id for s in live), default=None)
    return {s.id: ("in force" if s.id == used else "overlapped" if s in live else
                   "coming" if s.effective_from and s.effective_from > today else "ended") for s in sets}


def account_sets(session: Session, account_id: int, today: date) -> list[HolderSets]:
    holders = session.scalars(select(Holder).where(Holder.account_id == account_id).order_by(Holder.name)).all()
    found = []
    for holder in holders:
        sets = session.scalars(select(RequirementSet).where(RequirementSet.holder_id == holder.id,
                                                            RequirementSet.superseded_at.is_(None))).all()
        tags = sorted({s.tag for s in sets}, key=lambda t: (t is not None, t or ""))
        groups = []
        for tag in tags:
            of_tag = [s for s in sets if s.tag == tag]
            state = states(of_tag, today)
            ordered = sorted(of_tag, key=lambda s: (s.effective_from or date.min, s.id))
            groups.append((tag, [ShownSet(s.id, s.name, s.tag, s.effective_from, s.effective_until, state[s.id])
                                 for s in ordered]))
        session.expunge(holder)
        found.append(HolderSets(holder, groups))
    return found


def annotated_lines(text: str, errors: list[LineError]) -> list[tuple[int, str, list[str]]]:
    """The typed text line by line, each with the mistakes found on it."""
    on: dict[int, list[str]] = {}
    for e in errors:
        on.setdefault(e.line or 1, []).append(e.message)
    lines = text.splitlines() or [""]
    lines += [""] * (max(on, default=0) - len(lines))  # a mistake at the very end
    return [(n, line, on.get(n, [])) for n, line in enumerate(lines, start=1)]


def requirement_routes(desk: FastAPI, kit: Kit) -> None:
    """``/desk/requirements``: the account's holders, their requirement sets and alternative names."""
    app, render, go = kit.app, kit.render, kit.go

    def admin(request: Request, csrf: str) -> Person:
        person = signed_in(app, request)
        check_csrf(request, csrf)
        if person.role != Role.ADMIN:
            raise DeskError(403, f"You are a {person.role.value} of this account: only an admin changes its "
                                 "requirement sets and holder names.")
        return person

    def own_set(session: Session, person: Person, set_id: int) -> tuple[RequirementSet, Holder]:
        row = session.execute(select(RequirementSet, Holder).join(Holder, Holder.id == RequirementSet.holder_id)
                              .where(RequirementSet.id == set_id, Holder.account_id == person.account_id)).first()
        if row is None:
            raise DeskError(404, "No such requirement set in your account.")
        return row[0], row[1]

    def own_holder(session: Session, person: Person, holder_id: int) -> Holder:
        holder = session.get(Holder, holder_id)
        if holder is None or holder.account_id != person.account_id:
            raise DeskError(404, "No such holder in your account.")
        return holder

    def hand_on(handoffs) -> None:
        if handoffs:
            kit.send_on(handoffs)  # False when the broker is away: the relay sends it on its return

    def editor(request: Request, person: Person, holder: Holder, *, tag: str | None, text: str,
               shown: RequirementSet | None = None, errors: list[LineError] | None = None,
               status: int = 200) -> HTMLResponse:
        with app.sessions() as session:
            siblings = [s for s in account_sets(session, person.account_id, date.today())
                        if s.holder.id == holder.id]
        group = next((sets for g in siblings for t, sets in g.groups if t == tag), [])
        return render(request, "requirement_set.html", status, person=person, holder=holder, tag=tag, text=text,
                      shown=shown, group=group, errors=errors or [],
                      lines=annotated_lines(text, errors) if errors else [],
                      state=next((s.state for s in group if shown and s.id == shown.id), None))

    @desk.get("/requirements")
    def requirement_list(request: Request) -> Response:
        person = signed_in(app, request)
        with app.sessions() as session:
            holders = account_sets(session, person.account_id, date.today())
        return render(request, "requirements.html", person=person, holders=holders)

    @desk.get("/requirements/{set_id}")
    def requirement_set(request: Request, set_id: int) -> Response:
        person = signed_in(app, request)
        with app.sessions() as session:
            shown, holder = own_set(session, person, set_id)
            session.expunge_all()
        return editor(request, person, holder, tag=shown.tag, text=as_yaml(shown.body), shown=shown)

    @desk.get("/requirements/holders/{holder_id}/new")
    def new_set(request: Request, holder_id: int, tag: str = "") -> Response:
        person = signed_in(app, request)
        with app.sessions() as session:
            holder = own_holder(session, person, holder_id)
            session.expunge(holder)
        starter = {"name": holder.name, "effective": {"from": date.today().isoformat()},
                   "holder": {"name": holder.name, **({"address": holder.address} if holder.address else {})},
                   "lines": {"general_liability": {"required": True, "limits": {"each_occurrence": 1_000_000}}}}
        return editor(request, person, holder, tag=tag.strip() or None, text=as_yaml(starter))

    @desk.post("/requirements/holders/{holder_id}")
    def save_set(request: Request, holder_id: int, text: str = Form(""), tag: str = Form(""),
                 edited: str = Form(""), csrf: str = Form("")) -> Response:
        person = admin(request, csrf)
        tag_or_none = tag.strip() or None
        with app.sessions() as session:
            holder = own_holder(session, person, holder_id)
            before = own_set(session, person, int(edited)) if edited.isdigit() else None
            session.expunge_all()
        body, errors = read_requirements(text)
        if errors:
            return editor(request, person, holder, tag=tag_or_none, text=text, errors=errors, status=400,
                          shown=before[0] if before else None)
        try:
            with app.sessions() as session:
                created, rescores = set_requirements(session, person.account_slug, holder.name, body, tag_or_none,
                                                     by=person.email)
                created_id, name = created.id, created.name
        except AdminError as e:
            return editor(request, person, holder, tag=tag_or_none, text=text, errors=[LineError(None, str(e))],
                          status=400, shown=before[0] if before else None)
        hand_on(rescores)
        beside = before is not None and before[0].name != name
        done = (f"Saved as set {created_id} ({name})"
                + (f", beside {before[0].name!r}, which stays as it is" if beside else "")
                + (f"; {len(rescores)} certificate(s) are being scored again." if rescores else "."))
        return go(request, f"/requirements/{created_id}", done)

    @desk.post("/requirements/holders/{holder_id}/aliases")
    def change_alias(request: Request, holder_id: int, alias: str = Form(""), remove: str = Form(""),
                     csrf: str = Form("")) -> Response:
        from infra.holder_aliases import add_alias, remove_alias

        person = admin(request, csrf)
        try:
            with app.sessions() as session:
                holder = own_holder(session, person, holder_id)
                change = remove_alias if remove else add_alias
                rescores = change(session, holder, alias, by=person.email)
                done = (f"{holder.name} no longer accepts {alias!r}." if remove else
                        f"{holder.name} also accepts {' '.join(alias.split())!r} on certificates.")
        except AdminError as e:
            return go(request, f"/requirements#holder-{holder_id}", f"Not changed: {e}")
        hand_on(rescores)
        if rescores:
            done += f" {len(rescores)} certificate(s) are being scored again."
        return go(request, f"/requirements#holder-{holder_id}", done)
