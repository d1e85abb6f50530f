"""The desk's commands: ``coi user …``, ``coi correct``, and ``coi review list / undo-waiver / undo-override``."""

from __future__ import annotations

import json
import sys

import click

from infra.admin_handoffs import away
from infra.entry.cli_common import actors_of, admin_call as _admin, app_of as _app


def _queued(ctx: click.Context, handoffs) -> str:
    handoffs = [h for h in handoffs if h is not None]
    return away(actors_of(ctx).send_on(handoffs)) if handoffs else ""


def attach(main: click.Group) -> None:
    main.add_command(user)
    main.add_command(correct)
    review = main.commands["review"]
    review.add_command(review_list)
    review.add_command(undo_waiver)
    review.add_command(undo_override)


def _desk_link(app, path: str) -> str:
    settings = app.settings
    base = settings.api_public_url.rstrip("/") or f"http://{settings.api_host}:{settings.api_port}"
    return f"{base}/desk/{path}"


@click.group()
def user() -> None:
    """People who sign in to the desk (/desk/ on `coi api`)."""


@user.command("add")
@click.argument("email")
@click.option("--account", "account_slug", required=True)
@click.option("--role", type=click.Choice(["admin", "reviewer", "viewer"]), default="viewer", show_default=True)
@click.option("--link", "want_link", is_flag=True,
              help="Print a one-time link to set the password instead of reading it from stdin.")
@click.pass_context
def user_add(ctx: click.Context, email: str, account_slug: str, role: str, want_link: bool) -> None:
    """Add a user. The password is read from stdin when one is piped in (`... < file`); otherwise a
    one-time link to set it is printed, once."""
    from infra.users import add_user

    password = None
    if not want_link and not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n") or None
    app = _app(ctx)
    with app.sessions() as session:
        created, token = _admin(add_user, session, email, account_slug, role, password)
        click.echo(f"user {created.email} ({created.role}) of account {account_slug.lower()}")
    if token:
        click.echo(f"set the password once, within 3 days, at: {_desk_link(app, 'password/' + token)}")


@user.command("link")
@click.argument("email")
@click.pass_context
def user_link(ctx: click.Context, email: str) -> None:
    """Print a new one-time link to set a user's password (a forgotten one)."""
    from infra.users import new_link

    app = _app(ctx)
    with app.sessions() as session:
        token = _admin(new_link, session, email)
    click.echo(f"set the password once, within 3 days, at: {_desk_link(app, 'password/' + token)}")


@user.command("token")
@click.argument("email")
@click.pass_context
def user_token(ctx: click.Context, email: str) -> None:
    """Print a new API token for the user (shown once; replaces the user's earlier one), for
    `PATCH /v1/documents/{id}/values` with `Authorization: Bearer <token>`."""
    from infra.users import new_api_token

    with _app(ctx).sessions() as session:
        click.echo(_admin(new_api_token, session, email))


@user.command("list")
@click.option("--account", "account_slug", required=True)
@click.pass_context
def user_list(ctx: click.Context, account_slug: str) -> None:
    from sqlalchemy import select

    from infra.admin import require_account
    from infra.models import User

    with _app(ctx).sessions() as session:
        account = _admin(require_account, session, account_slug)
        for row in session.scalars(select(User).where(User.account_id == account.id).order_by(User.email)):
            state = "disabled" if row.disabled_at else ("no password yet" if row.password_hash is None else "active")
            click.echo(f"{row.email:40} {row.role:9} {state}")


@click.command()
@click.argument("document_id")
@click.argument("pointer")
@click.argument("value")
@click.option("--by", required=True, help="Who corrects it.")
@click.option("--reason", required=True)
@click.pass_context
def correct(ctx: click.Context, document_id: str, pointer: str, value: str, by: str, reason: str) -> None:
    """Correct a misread value (POINTER as in the certificate's evidence, e.g.
    /policies/0/limits/each_occurrence; VALUE as printed, e.g. 2,000,000); the document is scored again."""
    from infra.review import correct as store

    app = _app(ctx)
    with app.sessions() as session:
        row, rescore = _admin(store, session, document_id, pointer, value, by=by, reason=reason)
        click.echo(f"correction {row.id}: {pointer} {json.dumps(row.old_value)} -> {json.dumps(row.new_value)}; "
                   "the document will be scored again" + _queued(ctx, [rescore]))


@click.command("list")
@click.option("--account", "account_slug", required=True)
@click.option("--document", "document_id", default=None)
@click.pass_context
def review_list(ctx: click.Context, account_slug: str, document_id: str | None) -> None:
    """Waivers and overrides of an account (or one document), with their state: active, lapsed, undone."""
    from infra.admin import require_account
    from infra.review import reviews

    with _app(ctx).sessions() as session:
        account = _admin(require_account, session, account_slug)
        found = reviews(session, account.id, document_id)
    for waiver in found["waivers"]:
        click.echo(f"waiver {waiver['id']:<5} {waiver['state']:7} {waiver['document_id']} {waiver['code']}"
                   f"{' line ' + waiver['line'] if waiver['line'] else ''}{' key ' + waiver['key'] if waiver['key'] else ''}"
                   f" by {waiver['by']}: {waiver['reason']}")
    for row in found["overrides"]:
        click.echo(f"override {row['id']:<3} {row['state']:7} {row['document_id']} {row['decision']} "
                   f"by {row['by']}: {row['reason']}")
    if not found["waivers"] and not found["overrides"]:
        click.echo("no waivers or overrides")


@click.command("undo-waiver")
@click.argument("waiver_id", type=int)
@click.option("--by", required=True)
@click.option("--reason", required=True)
@click.pass_context
def undo_waiver(ctx: click.Context, waiver_id: int, by: str, reason: str) -> None:
    """Stop applying a waiver; the document is scored again without it."""
    from infra.review import undo_waiver as undo

    app = _app(ctx)
    with app.sessions() as session:
        _, rescore = _admin(undo, session, waiver_id, by=by, reason=reason)
    click.echo(f"waiver {waiver_id} undone; the document will be scored again" + _queued(ctx, [rescore]))


@click.command("undo-override")
@click.argument("override_id", type=int)
@click.option("--by", required=True)
@click.option("--reason", required=True)
@click.pass_context
def undo_override(ctx: click.Context, override_id: int, by: str, reason: str) -> None:
    """Stop applying an override; the evaluated decision stands again."""
    from infra.review import undo_override as undo

    app = _app(ctx)
    with app.sessions() as session:
        _, publication = _admin(undo, session, override_id, by=by, reason=reason)
    click.echo(f"override {override_id} undone" + _queued(ctx, [publication]))
