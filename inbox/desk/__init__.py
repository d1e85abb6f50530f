"""The holder's desk: server-rendered pages at ``/desk/`` on ``coi api`` where reviewers sign in,
work the queue, correct misread values, waive checks and override decisions.

    add_desk(api, app, send_on)  # in inbox/api.py's create_api: mounts /desk, adds PATCH /v1/documents/{id}/values

Jinja templates and one stylesheet served from this package (no build step, nothing from another
host, works offline); plain HTML forms, so every action works from the keyboard and without
JavaScript. Pages are scoped to the signed-in user's account: another account's document is a 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from infra.bootstrap import App
    from workers.dispatch import SendOn


def add_desk(api: FastAPI, app: App, send_on: SendOn) -> None:
    """``send_on`` enqueues the rescores and publications a reviewer's action commits (workers/dispatch.py)."""
    from inbox.desk.pages import create_desk
    from inbox.desk.values_api import add_value_routes

    add_value_routes(api, app, send_on)
    api.mount("/desk", create_desk(app, send_on), name="desk")
