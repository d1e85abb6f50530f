"""``coi vendor …``, ``coi requirements sample`` and ``coi account set-from`` / ``template``:
vendors, certificate requests, samples, and an account's own emails (issue 18)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from infra.admin_handoffs import away
from infra.entry.cli_common import actors_of, admin_call as _admin, app_of as _app


def attach(main: click.Group) -> None:
    main.add_command(vendor)
    main.commands["requirements"].add_command(requirements_sample)
    main.commands["account"].add_command(account_set_from)
    main.commands["account"].add_command(account_template)


def _dispatch(ctx: click.Context, handoffs) -> str:
    return away(actors_of(ctx).send_on(handoffs))


@click.group()
def vendor() -> None:
    """Vendors: the insureds an account works with, their certificates, requests."""


@vendor.command("add")
@click.argument("name")
@click.option("--account", "slug", required=True)
@click.option("--alias", "aliases", multiple=True, help="Another name it is insured under (repeatable).")
@click.option("--contact", "contacts", multiple=True, help="A confirmed email of the vendor or its agent.")
@click.option("--tag", "tags", multiple=True, help="A project (the +tag of mail for it).")
@click.option("--holder", default=None, help="The holder whose requirements apply.")
@click.pass_context
def vendor_add(ctx, name, slug, aliases, contacts, tags, holder) -> None:
    from infra.admin_vendors import add_vendor

    with _app(ctx).sessions() as session:
        created = _admin(add_vendor, session, slug, name, aliases=list(aliases), contacts=list(contacts),
                         tags=list(tags), holder=holder, domain=_app(ctx).settings.inbound_domain)
        click.echo(f"vendor {created.name} (id {created.id})")


@vendor.command("edit")
@click.argument("vendor_ref", metavar="VENDOR")
@click.option("--account", "slug", required=True)
@click.option("--alias", "aliases", multiple=True, help="Replaces the aliases (repeatable).")
@click.option("--contact", "contacts", multiple=True, help="Replaces the contacts (repeatable).")
@click.option("--tag", "tags", multiple=True, help="Replaces the projects (repeatable).")
@click.option("--holder", default=None)
@click.pass_context
def vendor_edit(ctx, vendor_ref, slug, aliases, contacts, tags, holder) -> None:
    from infra.admin_vendors import edit_vendor

    with _app(ctx).sessions() as session:
        changed = _admin(edit_vendor, session, slug, vendor_ref, aliases=list(aliases) or None,
                         contacts=list(contacts) or None, tags=list(tags) or None, holder=holder,
                         domain=_app(ctx).settings.inbound_domain)
        click.echo(f"vendor {changed.name} (id {changed.id}) changed")


@vendor.command("match")
@click.option("--account", "slug", required=True)
@click.pass_context
def vendor_match(ctx, slug) -> None:
    """Link certificates waiting for a vendor (or scored before vendors existed) to those they match now."""
    from infra.admin_vendors import match_waiting

    with _app(ctx).sessions() as session:
        linked = _admin(match_waiting, session, slug, _app(ctx).settings.inbound_domain)
    click.echo(f"{linked} certificate(s) linked to a vendor")


@vendor.command("list")
@click.option("--account", "slug", required=True)
@click.option("--tag", default=None, help="Only vendors of this project, and their standing for it.")
@click.option("--missing", is_flag=True, help="Only vendors with no compliant certificate on file.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def vendor_list(ctx, slug, tag, missing, as_json) -> None:
    from infra.admin_vendors import list_vendors

    with _app(ctx).sessions() as session:
        rows = _admin(list_vendors, session, slug, date.today(), tag=tag, status="missing" if missing else None)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("No vendors." if not missing else "No vendor is missing a certificate.")
    for row in rows:
        click.echo(f"{row['id']:>5}  {row['name']}  {row['status']}: {row['reason']}")


@vendor.command("show")
@click.argument("vendor_ref", metavar="VENDOR")
@click.option("--account", "slug", required=True)
@click.pass_context
def vendor_show(ctx, vendor_ref, slug) -> None:
    """A vendor's standing, certificates over time and requests (JSON)."""
    from infra.admin_vendors import vendor_detail

    with _app(ctx).sessions() as session:
        click.echo(json.dumps(_admin(vendor_detail, session, slug, vendor_ref, date.today()), indent=2))


@vendor.command("unmatched")
@click.option("--account", "slug", required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def vendor_unmatched(ctx, slug, as_json) -> None:
    """Certificates no vendor was found for, to link with `coi vendor link`."""
    from infra.admin_vendors import unmatched

    with _app(ctx).sessions() as session:
        rows = _admin(unmatched, session, slug)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("Every certificate is linked to a vendor.")
    for row in rows:
        click.echo(f"{row['document_id']}  {row['insured'] or '(insured not read)'}  from {row['sender'] or 'an upload'}"
                   f"  {row['received_at'][:16]}")


@vendor.command("link")
@click.argument("document_id")
@click.argument("vendor_ref", metavar="VENDOR")
@click.option("--account", "slug", required=True)
@click.option("--by", required=True, help="Who links it (kept in the audit log).")
@click.option("--alias", is_flag=True, help="Keep the certificate's insured name as an alias of the vendor.")
@click.pass_context
def vendor_link(ctx, document_id, vendor_ref, slug, by, alias) -> None:
    from infra.admin_vendors import link

    with _app(ctx).sessions() as session:
        row = _admin(link, session, slug, document_id, vendor_ref, by=by, alias=alias)
        click.echo(f"certificate {row.document_id} linked to vendor {row.vendor_id}")


@vendor.command("request")
@click.argument("vendor_ref", metavar="VENDOR")
@click.option("--account", "slug", required=True)
@click.option("--tag", default=None, help="The project the certificate is for.")
@click.option("--holder", default=None, help="Whose requirements (default: the vendor's holder, or the only one).")
@click.option("--to", "to", multiple=True, help="Also email this address (it becomes a confirmed contact).")
@click.option("--by", default="cli")
@click.pass_context
def vendor_request(ctx, vendor_ref, slug, tag, holder, to, by) -> None:
    """Email the vendor what is required, with a sample certificate; follow up until one complies."""
    from infra.admin_vendors import request_certificate

    app = _app(ctx)
    with app.sessions() as session:
        request, handoffs = _admin(request_certificate, session, app.settings, slug, vendor_ref, tag=tag,
                                   holder=holder, to=list(to), by=by)
        click.echo(f"request {request.id} to {', '.join(request.recipients)}; follow-ups after "
                   f"{', '.join(str(d) for d in app.settings.request_chase_days)} days while no compliant "
                   "certificate is on file" + _dispatch(ctx, handoffs))


@vendor.command("stop")
@click.argument("request_id", type=int)
@click.option("--account", "slug", required=True)
@click.option("--by", required=True)
@click.pass_context
def vendor_stop(ctx, request_id, slug, by) -> None:
    """Stop following up a certificate request."""
    from infra.admin_vendors import stop_request

    with _app(ctx).sessions() as session:
        request = _admin(stop_request, session, slug, request_id, by=by)
        click.echo(f"request {request.id}: {request.status}")


@click.command("sample")
@click.argument("holder")
@click.option("--account", "slug", required=True)
@click.option("--tag", default=None)
@click.option("--vendor", "vendor_name", default=None, help="The insured name to print.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.pass_context
def requirements_sample(ctx, holder, slug, tag, vendor_name, out) -> None:
    """A sample certificate (PDF, marked SAMPLE) filled with what HOLDER requires."""
    from infra.admin_vendors import sample_pdf

    with _app(ctx).sessions() as session:
        pdf = _admin(sample_pdf, session, slug, holder, tag=tag, vendor=vendor_name)
    out.write_bytes(pdf)
    click.echo(f"sample certificate written to {out}")


@click.command("set-from")
@click.argument("slug")
@click.argument("address", required=False)
@click.pass_context
def account_set_from(ctx, slug, address) -> None:
    """The From of the account's emails (no ADDRESS: back to COI_NOTIFY_FROM)."""
    from infra.admin_vendors import set_from

    with _app(ctx).sessions() as session:
        account = _admin(set_from, session, slug, address)
        click.echo(f"{account.slug}: emails from {account.notify_from or 'COI_NOTIFY_FROM'}")


@click.command("template")
@click.argument("slug")
@click.argument("name")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@click.option("--remove", is_flag=True, help="Back to the packaged template.")
@click.pass_context
def account_template(ctx, slug, name, file, remove) -> None:
    """The account's own email template NAME (<kind>.txt.j2, <kind>.html.j2, <kind>.subject) from FILE."""
    from infra.admin_vendors import set_template

    if not remove and file is None:
        raise click.UsageError("Give the template FILE, or --remove.")
    with _app(ctx).sessions() as session:
        _admin(set_template, session, slug, name, None if remove else file.read_text(encoding="utf-8"))
    click.echo(f"{slug}: template {name} {'removed' if remove else 'set'}")
