"""What every ``coi`` command module shares: the App of the command line, its actors (declared once,
by the first command that sends: ``actors_of``; an admin action's hand-offs go through
``actors_of(ctx).send_on``, and ``infra.admin_handoffs.away`` says what became of them), admin errors
as plain messages.

A command module imports these from here and offers ``attach(main)``, which ``infra/entry/cli.py``
calls: it never imports ``infra.entry.cli`` (that import, with ``infra.entry.cli`` importing it back
to attach it, is an import circle, which tests/unit/test_import_cycles.py refuses)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from infra.bootstrap import App
    from workers.actors import Actors

_ACTORS = "coi.actors"  # where the command line keeps its actors (click's ``meta``, shared by every context)


def app_of(ctx: click.Context) -> App:
    """The App ``coi`` built for this command line (``infra.entry.cli.main``)."""
    return ctx.obj


def actors_of(ctx: click.Context) -> Actors:
    """The actors on the command line's broker, declared the first time a command asks (a command
    that sends nothing declares nothing, so builds no broker)."""
    from workers.entry import declare

    if _ACTORS not in ctx.meta:
        ctx.meta[_ACTORS] = declare(app_of(ctx))
    return ctx.meta[_ACTORS]


def admin_call(fn, *args, **kwargs):
    """``fn(*args, **kwargs)``; an AdminError (an operator's mistake) becomes a plain message and exit 1."""
    from infra.admin import AdminError

    try:
        return fn(*args, **kwargs)
    except AdminError as e:
        raise click.ClickException(str(e)) from e


def parse_date(value: str | None) -> date | None:
    """A YYYY-MM-DD option's value; anything else is a plain message and exit 1."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError as e:
        raise click.ClickException(f"{value!r} is not a date (YYYY-MM-DD)") from e
