"""Inbound addresses: ``<account>@domain`` and ``<account>+<tag>@domain`` (the tag names a project);
and the one test every address we would mail must pass (:func:`one_mailbox`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$")
TAG = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass(frozen=True)
class Route:
    account: str
    tag: str | None


def is_valid_slug(slug: str) -> bool:
    return bool(SLUG.match(slug))


def route(address: str, domain: str) -> Route | None:
    """The account (and tag) an envelope recipient addresses, or None when it is not ours."""
    address = address.strip().strip("<>")
    local, at, host = address.rpartition("@")
    if not at or host.lower().rstrip(".") != domain.lower().rstrip("."):
        return None
    account, plus, tag = local.partition("+")
    account = account.lower()
    if not is_valid_slug(account):
        return None
    if plus and not TAG.match(tag):
        return None
    return Route(account, tag or None)


def inbound_address(account: str, tag: str | None, domain: str) -> str:
    """The account's own address at the door, ``<account>+<tag>@domain`` when a (valid) tag applies:
    where replies to our emails come back in."""
    suffix = f"+{tag}" if tag and TAG.match(tag) else ""
    return f"{account}{suffix}@{domain}"


def one_mailbox(text: str | None) -> str | None:
    """``text`` as one syntactically valid address that can receive mail on the internet, lower-cased;
    None for anything else: a list ("a@x.example, b@y.example"), a display name, a reserved domain
    (``.test``, ``.localhost``, ``.invalid``...), text around the address. An address that came
    from outside (a sender, a certificate's print) can then never make us mail more than one
    mailbox, nor one it chose beside the one it shows."""
    if not text:
        return None
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None
