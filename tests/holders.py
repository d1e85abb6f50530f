"""A holder's account as the upload and tenancy tests need it: the demo certificate's holder, a
requirement set the certificate meets (or fails), and an upload token."""

from __future__ import annotations

from functools import lru_cache

from infra.admin import add_account, add_holder, set_requirements
from infra.entry.demo import current, demo_requirements
from infra.tokens import create_token
from samples.certificates import demo_certificate, draw_certificate


@lru_cache(maxsize=1)
def demo() -> tuple[dict, bytes]:
    """The demo certificate, current as of today, and its drawn PDF."""
    cert = current(demo_certificate())
    return cert, draw_certificate(cert)


def holder_account(app, slug: str, *, each_occurrence: int = 1_000_000, label: str = "website form") -> str:
    """Account ``slug`` with the demo certificate's holder and a requirement set the certificate
    meets ($1,000,000 each occurrence), or fails with a higher minimum; returns a new upload token."""
    cert, _ = demo()
    holder = cert["certificate_holder"]
    requirements = demo_requirements(cert)
    requirements["lines"]["general_liability"]["limits"]["each_occurrence"] = each_occurrence
    with app.sessions() as session:
        add_account(session, slug, slug.title())
        add_holder(session, slug, holder["name"], holder["address"])
        set_requirements(session, slug, holder["name"], requirements)
        return create_token(session, slug, label)[1]
