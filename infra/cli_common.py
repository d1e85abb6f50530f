"""What every ``coi`` command module shares: the App of the command line, admin errors as plain
messages, and hand-offs enqueued after an admin action.

A command module imports these from here and offers ``attach(main)``, which ``infra/cli.py`` calls:
it never imports ``infra.cli`` (that import, with ``infra.cli`` importing it back to attach it, is an
import circle, which tests/unit/test_import_cycles.py refuses)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from infra.bootstrap import App


def app_of(ctx: click.Context) -> App:
    """The App ``coi`` built for this command line (``infra.cli.main``)."""
    return ctx.obj


def admin_call(fn, *args, **kwargs):
    """``fn(*args, **kwargs)``; an AdminError (an operator's mistake) becomes a plain message and exit 1."""
    from infra.admin import AdminError

    try:
        return fn(*args, **kwargs)
    except AdminError as e:
        raise click.ClickException(str(e)) from e


def hand_on(app: App, handoffs) -> bool:
    """Enqueue hand-offs an admin action committed (workers/handoffs.py); False when the broker is away."""
    from workers.handoffs import dispatch

    app.actors  # noqa: B018 - declared on the broker before anything is sent
    return dispatch(handoffs, broker=app.broker_handle.broker, sessions=app.sessions)


def away(queued: bool) -> str:
    return "" if queued else " (the broker is away: the workers take it up within seconds of its return)"


def parse_date(value: str | None) -> date | None:
    """A YYYY-MM-DD option's value; anything else is a plain message and exit 1."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError as e:
        raise click.ClickException(f"{value!r} is not a date (YYYY-MM-DD)") from e
