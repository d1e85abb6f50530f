"""The scoring's write of the certificate's expiry date goes at once, not through the unit of work's flush at
the commit (workers/decisions.py ``track_expiry``), on the StubBroker layer's SQLite (tests/stub/conftest.py)."""

from __future__ import annotations

from sqlalchemy import select, update

from infra.models import Certificate, Evaluation
from samples.certificates import draw_certificate
from workers.decisions import track_expiry

from test_chain_stub import mail


def test_given_a_certificate_whose_expiry_moved_when_tracked_then_it_is_written_at_once_and_left_clean(
        chain, certificate):
    mail(chain, draw_certificate(certificate))
    chain.settle()
    with chain.app.sessions() as session:
        expected = session.scalars(select(Certificate.expires_on)).one()
        assert expected is not None  # the scoring tracked it
        session.execute(update(Certificate).values(expires_on=None, expiry_state="expired"))
        session.commit()

    with chain.app.sessions() as session:
        stored = session.scalars(select(Certificate)).one()
        evaluation = session.scalars(select(Evaluation).where(Evaluation.current.is_(True))).one()

        track_expiry(session, stored, evaluation)

        assert stored not in session.dirty  # before: dirty, written by the flush at the commit
        assert (stored.expires_on, stored.expiry_state) == (expected, "current")
        session.commit()
    with chain.app.sessions() as session:
        assert session.execute(select(Certificate.expires_on, Certificate.expiry_state)).one() == (expected, "current")
