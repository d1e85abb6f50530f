"""``coi api``, ``coi token …`` and ``coi uploads poll-sqs``: the upload door's commands."""

from __future__ import annotations

import json
import signal
import threading

import click


from infra.entry.cli_common import actors_of
from infra.entry.cli_common import admin_call as _admin
from infra.entry.cli_common import app_of as _app


def attach(main: click.Group) -> None:
    main.add_command(api)
    main.add_command(token)
    main.add_command(uploads)


@click.command()
@click.option("--host", default=None, help="Address to listen on (COI_API_HOST).")
@click.option("--port", default=None, type=int, help="Port to listen on (COI_API_PORT).")
@click.pass_context
def api(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Run the HTTP API (upload door, status, embeddable form) until interrupted."""
    import uvicorn

    from inbox.api import create_api

    app = _app(ctx)
    app.broker_handle.ping()
    served = create_api(app, actors_of(ctx))  # the actors declared before the first upload arrives
    uvicorn.run(served, host=host or app.settings.api_host, port=port or app.settings.api_port,
                log_level=app.settings.log_level.lower(), proxy_headers=True, server_header=False)


@click.group()
def token() -> None:
    """Upload tokens for the embeddable form and the API (one account each)."""


@token.command("add")
@click.argument("account_slug")
@click.option("--label", required=True, help="Where the token is used, e.g. 'website form'.")
@click.option("--scope", type=click.Choice(["upload", "read"]), default="upload", show_default=True,
              help="upload: the form's token (public in a page); read: also lists, searches and reports on "
                   "every document of the account (GET /v1/documents, /v1/reports): keep it secret.")
@click.pass_context
def token_add(ctx: click.Context, account_slug: str, label: str, scope: str) -> None:
    """Create a token; it is printed once and cannot be shown again."""
    from infra.tokens import create_token

    app = _app(ctx)
    with app.sessions() as session:
        row, secret = _admin(create_token, session, account_slug, label, scope)
    base = app.settings.api_public_url.rstrip("/") or f"http://{app.settings.api_host}:{app.settings.api_port}"
    click.echo(f"token {row.id} for {account_slug} ({label}); it is shown only now:\n\n  {secret}\n")
    if scope == "read":
        click.echo("It reads every document of the account: keep it out of web pages.")
        return
    click.echo(f'Paste into a web page:\n\n  <script src="{base}/embed.js" data-token="{secret}" async></script>')


@token.command("list")
@click.option("--account", "account_slug", default=None)
@click.pass_context
def token_list(ctx: click.Context, account_slug: str | None) -> None:
    """The tokens (hints only), when each was last used and whether it is revoked."""
    from infra.tokens import list_tokens

    with _app(ctx).sessions() as session:
        for row in list_tokens(session, account_slug):
            click.echo(json.dumps(row))


@token.command("revoke")
@click.argument("which")
@click.option("--account", "account_slug", default=None, help="Only among this account's tokens.")
@click.pass_context
def token_revoke(ctx: click.Context, which: str, account_slug: str | None) -> None:
    """Revoke a token by its id or its hint: it stops working at once."""
    from infra.tokens import revoke_token

    with _app(ctx).sessions() as session:
        row = _admin(revoke_token, session, which.rstrip("…"), account_slug)
    click.echo(f"token {row.id} ({row.label}) revoked")


@click.group()
def uploads() -> None:
    """The upload door's S3 side."""


@uploads.command("poll-sqs")
@click.option("--queue-url", required=True, help="The SQS queue S3 (or SNS, or EventBridge) sends events to.")
@click.option("--endpoint-url", default=None, help="SQS endpoint, for a local server; default: AWS.")
@click.option("--wait", default=20, show_default=True, type=int, help="Long-poll seconds per receive.")
@click.option("--once", is_flag=True, help="Receive one batch, then stop.")
@click.pass_context
def poll_sqs(ctx: click.Context, queue_url: str, endpoint_url: str | None, wait: int, once: bool) -> None:
    """Take S3 event notifications from an SQS queue, as the hook takes them over HTTP."""
    from inbox.sqs import poll_once, sqs_client

    app = _app(ctx)
    send_on = actors_of(ctx).send_on
    client = sqs_client(endpoint_url, app.settings.s3_region)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.is_set():
            taken = poll_once(app, send_on, client, queue_url, wait=wait)
            if once:
                click.echo(f"{taken} message(s) taken")
                break
    except KeyboardInterrupt:
        pass
