"""What an admin action's hand-offs became, in words: shared by the ``coi`` commands and the desk (a
door may not import the command line's helpers, pyproject.toml ``[tool.importlinter]``). They are
enqueued with ``send_on`` (workers/dispatch.py ``SendOn``), which the entry point hands over."""

from __future__ import annotations


def away(queued: bool) -> str:
    """Nothing when the broker took them (``send_on`` answered True); else when they will go."""
    return "" if queued else " (the broker is away: the workers take it up within seconds of its return)"
