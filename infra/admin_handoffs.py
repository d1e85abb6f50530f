"""Hand-offs an admin action committed, sent on to the workers: shared by the ``coi`` commands and
the desk (a door may not import the command line's helpers, pyproject.toml ``[tool.importlinter]``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infra.bootstrap import App


def hand_on(app: App, handoffs) -> bool:
    """Enqueue hand-offs an admin action committed (workers/handoffs.py); False when the broker is away."""
    from workers.handoffs import dispatch

    app.actors  # noqa: B018 - declared on the broker before anything is sent
    return dispatch(handoffs, broker=app.broker_handle.broker, sessions=app.sessions)


def away(queued: bool) -> str:
    return "" if queued else " (the broker is away: the workers take it up within seconds of its return)"
