"""A holder's accepted alternative names (``coi holder alias``, the desk's requirement pages).

A certificate whose holder block names one of them passes the holder name check, which says so;
scoring stays pure: ``workers.decisions`` passes the aliases in with the requirement set. Changing
them rescores the account's decided documents, hand-offs committed with the change, as
``infra.admin.set_requirements`` does."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from infra.admin import AdminError, require_account
from infra.models import AuditEntry, Document, Handoff, Holder
from infra.repo import hand_on
from pipeline.scoring import normalise


def account_holder(session: Session, account_slug: str, holder_name: str) -> Holder:
    account = require_account(session, account_slug)
    holder = session.scalars(select(Holder).where(Holder.account_id == account.id, Holder.name == holder_name)).first()
    if holder is None:
        raise AdminError(f"No holder {holder_name!r} in account {account.slug!r}; add it with `coi holder add`.")
    return holder


def add_alias(session: Session, holder: Holder, alias: str, *, by: str) -> list[Handoff]:
    """Accept ``alias`` as another spelling of the holder's name; the rescores to send on."""
    alias = " ".join(alias.split())
    if not normalise(alias):
        raise AdminError("An alternative name needs letters or digits.")
    if normalise(alias) in {normalise(n) for n in holder.aliases or ()}:
        raise AdminError(f"{alias!r} is already accepted for {holder.name}.")
    return _change(session, holder, [*(holder.aliases or ()), alias], by, "holder.alias_added", alias)


def remove_alias(session: Session, holder: Holder, alias: str, *, by: str) -> list[Handoff]:
    """No longer accept ``alias``; the rescores to send on."""
    if alias not in (holder.aliases or ()):
        raise AdminError(f"{alias!r} is not an accepted alternative name of {holder.name}.")
    return _change(session, holder, [a for a in holder.aliases if a != alias], by, "holder.alias_removed", alias)


def _change(session: Session, holder: Holder, aliases: list[str], by: str, action: str, alias: str) -> list[Handoff]:
    holder.aliases = aliases
    entry = AuditEntry(account_id=holder.account_id, actor=by, action=action, subject=f"holder:{holder.id}",
                       detail={"holder": holder.name, "alias": alias})
    session.add(entry)
    session.flush()  # its id names the rescores' trigger
    decided = session.scalars(select(Document.id).where(Document.account_id == holder.account_id,
                                                        Document.status == "decided")).all()
    rescores = [hand_on(session, "rescore_document", document_id, f"aliases:{entry.id}") for document_id in decided]
    session.commit()
    return rescores
