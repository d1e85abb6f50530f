"""``coi webhook``, ``coi events replay``, ``coi holder contacts``, ``coi expiry``, ``coi scheduler``."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import click

from infra.admin_handoffs import away as _away
from infra.entry.cli_common import actors_of as _actors
from infra.entry.cli_common import admin_call as _admin
from infra.entry.cli_common import app_of as _app


def attach(main: click.Group) -> None:
    """Add these commands to ``coi`` (its ``events`` and ``holder`` groups are infra/entry/cli.py's)."""
    main.add_command(webhook)
    main.add_command(expiry)
    main.add_command(scheduler)
    main.commands["events"].add_command(events_replay)
    main.commands["holder"].add_command(holder_contacts)


@click.group()
def webhook() -> None:
    """An account's webhooks: signed HTTPS POSTs of every event (README "Webhooks")."""


@webhook.command("add")
@click.argument("url")
@click.option("--account", "account_slug", required=True)
@click.pass_context
def webhook_add(ctx: click.Context, url: str, account_slug: str) -> None:
    """Register URL; prints the signing secret, which is shown this once.

    The host must be public: a name or address on a private, loopback or link-local network is
    refused unless COI_WEBHOOK_ALLOW_PRIVATE is set."""
    from infra.admin_events import add_webhook

    app = _app(ctx)
    with app.sessions() as session:
        created, secret = _admin(add_webhook, session, app.secrets, account_slug, url,
                                 allow_http=app.settings.webhook_allow_http,
                                 allow_private=app.settings.webhook_allow_private)
    click.echo(f"webhook {created.id} → {created.url}")
    click.echo(f"signing secret (shown once; keep it with the receiver): {secret}")


@webhook.command("list")
@click.option("--account", "account_slug", required=True)
@click.pass_context
def webhook_list(ctx: click.Context, account_slug: str) -> None:
    from infra.admin_events import list_webhooks

    with _app(ctx).sessions() as session:
        for row in _admin(list_webhooks, session, account_slug):
            click.echo(json.dumps(row))


@webhook.command("remove")
@click.argument("webhook_id", type=int)
@click.option("--account", "account_slug", required=True)
@click.pass_context
def webhook_remove(ctx: click.Context, webhook_id: int, account_slug: str) -> None:
    """Stop sending to a webhook (its pending deliveries end as dead)."""
    from infra.admin_events import remove_webhook

    with _app(ctx).sessions() as session:
        removed = _admin(remove_webhook, session, account_slug, webhook_id)
    click.echo(f"webhook {removed.id} removed")


@click.command("replay")
@click.argument("event_ids", nargs=-1)
@click.option("--account", "account_slug", default=None)
@click.option("--dead", is_flag=True, help="Every event with a dead-lettered delivery.")
@click.option("--since", default=None, help="Every event since this time (ISO 8601, UTC if no zone).")
@click.option("--stream/--no-stream", default=False, help="Also add the events to the account stream again.")
@click.pass_context
def events_replay(ctx: click.Context, event_ids: tuple[str, ...], account_slug: str | None, dead: bool,
                  since: str | None, stream: bool) -> None:
    """Send events again to the webhooks (and the stream); consumers deduplicate by event id."""
    from infra.admin_events import replay
    from workers.publish import add_to_stream

    app = _app(ctx)
    with app.sessions() as session:
        deliveries, chosen = _admin(replay, session, account_slug=account_slug, event_ids=event_ids, dead=dead,
                                    since=_moment(since))
        if stream:
            from infra.models import Account

            for event in chosen:
                add_to_stream(app.redis, event, session.get(Account, event.account_id).slug,
                              app.settings.events_stream_maxlen)
    for delivery_id in deliveries:
        _actors(ctx).deliver_webhook.send(delivery_id)
    click.echo(f"{len(chosen)} events, {len(deliveries)} webhook deliveries queued"
               + (", added to the stream again" if stream else ""))


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as e:
        raise click.ClickException(f"{value!r} is not an ISO 8601 time") from e
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@click.command("contacts")
@click.argument("name")
@click.argument("emails", nargs=-1)
@click.option("--account", "account_slug", required=True)
@click.pass_context
def holder_contacts(ctx: click.Context, name: str, emails: tuple[str, ...], account_slug: str) -> None:
    """Set who is emailed about the holder's rejections and reviews (none given: nobody)."""
    from infra.admin_events import set_contacts

    with _app(ctx).sessions() as session:
        updated = _admin(set_contacts, session, account_slug, name, list(emails))
    click.echo(f"{updated.name}: {', '.join(updated.contacts) or 'no contacts'}")


@click.group()
def expiry() -> None:
    """Expiration tracking (run by the scheduler; by hand here)."""


@expiry.command("check")
@click.option("--as-of", "as_of", default=None, help="The day to check for, YYYY-MM-DD (default today).")
@click.pass_context
def expiry_check(ctx: click.Context, as_of: str | None) -> None:
    """Warn about expiring certificates and expire lapsed ones, as of a day."""
    from workers.expiry import check_expirations

    app = _app(ctx)
    day = date.fromisoformat(as_of) if as_of else date.today()
    expired, handoffs = check_expirations(day, sessions=app.sessions, settings=app.settings)
    click.echo(f"expiry check for {day}: {len(expired)} expired; warnings are in `coi events`"
               + _away(_actors(ctx).send_on(handoffs)))


@click.command()
@click.pass_context
def scheduler(ctx: click.Context) -> None:
    """Run the scheduler (expiry checks, the sweep) until interrupted; one per deployment."""
    from infra.entry.scheduler import run

    run(_app(ctx), _actors(ctx))
