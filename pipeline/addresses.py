"""Inbound addresses: ``<account>@domain`` and ``<account>+<tag>@domain`` (the tag names a project)."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
