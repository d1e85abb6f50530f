"""Entry point for ``dramatiq workers.entry:setup`` (what ``coi worker`` runs in each process)."""

from __future__ import annotations

_app = None  # kept for the life of the process (it holds the broker and, embedded, the Redis server)


def setup() -> None:
    """Build the app from the environment and declare the actors on its broker."""
    global _app
    from infra.bootstrap import App, configure_logging

    _app = App()
    configure_logging(_app.settings.log_level)
    _app.actors  # noqa: B018 - declaring the actors sets the broker dramatiq runs
