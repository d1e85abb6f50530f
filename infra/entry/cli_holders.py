"""``coi holder alias``: a holder's accepted alternative names (issue 17)."""

from __future__ import annotations

import click

from infra.admin_handoffs import away
from infra.entry.cli_common import actors_of, admin_call, app_of


def attach(main: click.Group) -> None:
    """Add these commands to ``coi``'s ``holder`` group (infra/entry/cli.py's)."""
    main.commands["holder"].add_command(holder_alias)


@click.command("alias")
@click.argument("name")
@click.argument("alias", required=False)
@click.option("--account", "account_slug", required=True)
@click.option("--remove", is_flag=True, help="No longer accept ALIAS.")
@click.option("--by", default="cli", help="Who changes it (kept in the audit trail).")
@click.pass_context
def holder_alias(ctx: click.Context, name: str, alias: str | None, account_slug: str, remove: bool, by: str) -> None:
    """Accept ALIAS as another spelling of holder NAME on certificates (no ALIAS: list them).

    A certificate whose holder block reads ALIAS passes the holder name check, which says so; the
    account's decided certificates are scored again."""
    from infra.holder_aliases import account_holder, add_alias, remove_alias

    app = app_of(ctx)
    with app.sessions() as session:
        holder = admin_call(account_holder, session, account_slug, name)
        if alias is None:
            click.echo(f"{holder.name}: " + ("; ".join(holder.aliases or ()) or "no alternative names"))
            return
        rescores = admin_call(remove_alias if remove else add_alias, session, holder, alias, by=by)
        click.echo(f"{holder.name}: " + ("; ".join(holder.aliases or ()) or "no alternative names"))
    if rescores:
        queued = actors_of(ctx).send_on(rescores)
        click.echo(f"scoring {len(rescores)} certificate(s) again{away(queued)}")
