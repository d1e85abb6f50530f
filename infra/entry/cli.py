"""``coi``: every process and operator action of coi-intake."""

from __future__ import annotations

import json
import signal
import sys
import threading
from datetime import date
from pathlib import Path

import click

from infra.admin_handoffs import away as _away
from infra.bootstrap import App, configure_logging
from infra.entry.cli_common import actors_of as _actors
from infra.entry.cli_common import admin_call as _admin
from infra.entry.cli_common import parse_date as _date
from infra.entry.cli_common import app_of as _app


def _print(data, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str))
    else:
        click.echo(json.dumps(data, indent=2, default=str) if not isinstance(data, str) else data)


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """coi-intake: certificates of insurance in, compliance decisions out."""
    ctx.obj = App()
    configure_logging(ctx.obj.settings.log_level)
    ctx.call_on_close(ctx.obj.close)


@main.command()
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Create or upgrade the database schema (Alembic)."""
    from infra.db import migrate as run

    run(_app(ctx).settings.resolved_database_url())
    click.echo("database is at the newest schema")


@main.command()
@click.option("--host", default=None, help="Address to listen on (COI_SMTP_HOST).")
@click.option("--port", default=None, type=int, help="Port to listen on (COI_SMTP_PORT).")
@click.pass_context
def smtp(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Run the SMTP door until interrupted."""
    from inbox.smtp import make_controller

    app = _app(ctx)
    app.broker_handle.ping()
    actors = _actors(ctx)  # declared before the first message arrives
    metrics = None
    settings = app.settings
    if settings.smtp_metrics_port:  # its answers by code (docs/metrics.md)
        from prometheus_client import start_http_server

        from infra.metrics import process_registry

        metrics, _ = start_http_server(settings.smtp_metrics_port, settings.metrics_host, process_registry())
        click.echo(f"SMTP door metrics on http://{settings.metrics_host}:{settings.smtp_metrics_port}/metrics")
    controller = make_controller(app, actors.flushed_send_on(), host=host, port=port)
    controller.start()
    click.echo(f"SMTP door on {controller.hostname}:{controller.port} for @{app.settings.inbound_domain}")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
        if metrics is not None:
            metrics.shutdown()


@main.command(context_settings={"ignore_unknown_options": True})
@click.option("--processes", default=1, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=int)
@click.option("--queues", "-Q", multiple=True,
              help="Consume only these queues (repeat the option): `default` (everything fast) or `ocr` "
                   "(scans and images). Default: both, in two pools (OCR one thread per process), so fast "
                   "work never waits behind OCR.")
@click.argument("dramatiq_args", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def worker(ctx: click.Context, processes: int, threads: int, queues: tuple[str, ...],
           dramatiq_args: tuple[str, ...]) -> None:
    """Run the pipeline workers (dramatiq) until interrupted."""
    import os

    from infra.entry.worker_pools import pool_commands, run_pools

    commands = pool_commands(processes, threads, queues, dramatiq_args)
    # dramatiq reads its idle poll interval from the environment when it is imported: hence a fresh
    # interpreter (exec) rather than calling its main here, where dramatiq is imported already.
    settings = _app(ctx).settings
    env = {**os.environ, "dramatiq_worker_timeout": str(settings.worker_poll_ms)}
    if settings.metrics_port:  # one server for all the processes (workers/metrics.py, docs/metrics.md)
        from workers.metrics import multiprocess_env

        env.update(multiprocess_env(settings))
        commands[0] += ["--fork-function", "workers.metrics:serve"]  # the pools share the counts' folder
    sys.exit(run_pools(commands, env))


@main.group()
def account() -> None:
    """Accounts and their inbound addresses."""


@account.command("add")
@click.argument("slug")
@click.option("--name", required=True, help="The holder business's name.")
@click.pass_context
def account_add(ctx: click.Context, slug: str, name: str) -> None:
    from infra.admin import add_account

    app = _app(ctx)
    with app.sessions() as session:
        created = _admin(add_account, session, slug, name)
        click.echo(f"account {created.slug}: mail certificates to {created.slug}@{app.settings.inbound_domain}")


@main.group()
def holder() -> None:
    """Certificate holders of an account."""


@holder.command("add")
@click.argument("name")
@click.option("--account", "account_slug", required=True)
@click.option("--address", default=None)
@click.pass_context
def holder_add(ctx: click.Context, name: str, account_slug: str, address: str | None) -> None:
    from infra.admin import add_holder

    with _app(ctx).sessions() as session:
        created = _admin(add_holder, session, account_slug, name, address)
        click.echo(f"holder {created.name} (id {created.id})")


@main.group()
def requirements() -> None:
    """Requirement sets (schemas/requirements.schema.json)."""


@requirements.command("set")
@click.argument("holder_name")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--account", "account_slug", required=True)
@click.option("--tag", default=None, help="Only for mail to <account>+<tag>@… (a project).")
@click.pass_context
def requirements_set(ctx: click.Context, holder_name: str, file: Path, account_slug: str, tag: str | None) -> None:
    from infra.admin import set_requirements

    app = _app(ctx)
    if file.suffix.lower() in {".yaml", ".yml"}:  # as the desk reads it: dates as text, mistakes on their lines
        from infra.requirement_text import read_requirements

        body, errors = read_requirements(file.read_text())
        if errors:
            raise click.ClickException(f"{file}: " + "; ".join(map(str, errors)))
    else:
        body = _load_document(file)
    with app.sessions() as session:
        created, rescores = _admin(set_requirements, session, account_slug, holder_name, body, tag)
        click.echo(f"requirement set {created.name!r} (id {created.id}) for {holder_name}")
    if rescores:
        click.echo(f"{len(rescores)} decided certificate(s) of the account will be scored again"
                   + _away(_actors(ctx).send_on(rescores)))


@requirements.command("templates")
def requirements_templates() -> None:
    """List the requirement templates per vendor type."""
    from schemas import templates

    for name, body in templates().items():
        click.echo(f"{name:24} {body['name']} ({', '.join(body.get('lines', {}))})")


@requirements.command("copy")
@click.argument("template")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def requirements_copy(template: str, out: Path) -> None:
    """Copy a template to a file to adjust, then load it with `coi requirements set`."""
    import yaml

    from schemas import templates

    found = templates().get(template)
    if found is None:
        raise click.ClickException(f"No template {template!r}; see `coi requirements templates`.")
    out.write_text(yaml.safe_dump(found, sort_keys=False) if out.suffix in {".yaml", ".yml"}
                   else json.dumps(found, indent=2) + "\n")
    click.echo(f"wrote {out}; adjust it (holder, limits, term...) and run `coi requirements set HOLDER {out}`")


@main.group()
def review() -> None:
    """A reviewer's waivers and overrides (recorded in the audit trail, announced as events)."""


@review.command("waive")
@click.argument("document_id")
@click.argument("code")
@click.option("--line", default=None, help="Only the check of this coverage line.")
@click.option("--key", default=None, help="Only the check of this limit or field.")
@click.option("--by", required=True, help="Who waives it.")
@click.option("--reason", required=True)
@click.option("--until", default=None, help="YYYY-MM-DD; the waiver lapses after it.")
@click.pass_context
def review_waive(ctx, document_id, code, line, key, by, reason, until) -> None:
    """Accept a failed check of a document; the document is scored again."""
    from infra.admin import waive

    app = _app(ctx)
    with app.sessions() as session:
        waiver, rescore = _admin(waive, session, document_id, code, by=by, reason=reason, line=line, key=key,
                                 until=_date(until))
    click.echo(f"waiver {waiver.id} recorded; the document will be scored again"
               + _away(_actors(ctx).send_on([rescore])))


@review.command("override")
@click.argument("document_id")
@click.argument("decision", type=click.Choice(["approved", "rejected", "needs_review"]))
@click.option("--by", required=True)
@click.option("--reason", required=True)
@click.option("--until", default=None, help="YYYY-MM-DD; the override lapses after it.")
@click.pass_context
def review_override(ctx, document_id, decision, by, reason, until) -> None:
    """Set a document's decision by hand."""
    from infra.admin import override

    app = _app(ctx)
    with app.sessions() as session:
        row, publication = _admin(override, session, document_id, decision, by=by, reason=reason,
                                  until=_date(until))
    click.echo(f"override {row.id} recorded: {decision}" + _away(_actors(ctx).send_on([publication])))


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the certificate JSON (the contract's shape).")
@click.option("--evidence/--no-evidence", default=True, help="Include per-value confidence and boxes.")
@click.pass_context
def extract(ctx: click.Context, files: tuple[Path, ...], as_json: bool, evidence: bool) -> None:
    """Read certificate files and print what was extracted.

    One file: its certificate. Several: one JSON object per line (JSON Lines), each with its
    "file" key, and an "error" key (code and message) in place of the certificate for a file that could not
    be read; the others are still read, and the exit status is 1 if any failed. All in one process,
    so a batch pays the start-up once; a progress bar on a terminal."""
    app = _app(ctx)
    if len(files) == 1:
        certificate = _extract_file(app, files[0])
        if not evidence:
            certificate.pop("evidence", None)
        _print(certificate, as_json)
        return
    failed = 0
    with click.progressbar(files, label="reading", file=sys.stderr, hidden=not sys.stderr.isatty()) as bar:
        for file in bar:
            try:
                line = {"file": str(file), **_extract_file(app, file)}
            except click.ClickException as e:
                failed += 1
                code, _, message = e.message.partition(": ")
                line = {"file": str(file), "error": {"code": code, "message": message}}
            if not evidence:
                line.pop("evidence", None)
            click.echo(json.dumps(line, default=str))
    if failed:
        ctx.exit(1)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--requirements", "requirements_file", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as-of", "as_of", default=None, help="Evaluation date YYYY-MM-DD (default today).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def evaluate(ctx: click.Context, file: Path, requirements_file: Path, as_of: str | None, as_json: bool) -> None:
    """Score a certificate file against a requirement set and print the evaluation."""
    from pipeline.scoring import evaluate as score
    from schemas import validate

    body = _load_document(requirements_file)
    errors = validate("requirements", body)
    if errors:
        raise click.ClickException("requirements do not match the schema: " + "; ".join(errors))
    day = date.fromisoformat(as_of) if as_of else date.today()
    result = score(_extract_file(_app(ctx), file), body, day)
    _print(result.to_dict(), as_json)


@main.command()
@click.argument("some_id")
@click.option("--json", "as_json", is_flag=True, help="Everything, as JSON (every check with its evidence).")
@click.pass_context
def status(ctx: click.Context, some_id: str, as_json: bool) -> None:
    """What became of a document or an inbound message (its id, or the first characters of it)."""
    from infra.admin import status as lookup
    from infra.entry.cli_reports import show_status

    with _app(ctx).sessions() as session:
        view = _admin(lookup, session, some_id)
    if as_json:
        _print(view, True)
    else:
        show_status(view)


@main.command()
@click.argument("document_id")
@click.pass_context
def retry(ctx: click.Context, document_id: str) -> None:
    """Send a failed document through the chain again, or a document stopped mid-chain on from its stage."""
    from infra.admin import reprocess

    with _app(ctx).sessions() as session:
        document, handoff, done = _admin(reprocess, session, document_id)
    queued = _actors(ctx).send_on([handoff])
    click.echo(f"document {document.id} {done}; "
               + ("queued" if queued else "the broker is away: the workers take it up as soon as it is back"))


@main.group(invoke_without_command=True)
@click.option("--account", "account_slug", default=None)
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line, with each event's data.")
@click.pass_context
def events(ctx: click.Context, account_slug: str | None, limit: int, as_json: bool) -> None:
    """List the newest events of the outbox (decisions and failures); `replay` sends some again."""
    from infra.admin import list_events
    from infra.entry.cli_reports import show_events

    if ctx.invoked_subcommand is not None:
        return
    with _app(ctx).sessions() as session:
        listed = list_events(session, account_slug, limit)
    if not as_json:
        show_events(listed)
        return
    for event in listed:
        click.echo(json.dumps(event, default=str))


@main.command()
@click.option("--keep-running", is_flag=True, help="Leave the SMTP door and workers running afterwards.")
@click.pass_context
def demo(ctx: click.Context, keep_running: bool) -> None:
    """Set up a demo account, email a sample certificate to it and print the decision."""
    from infra.entry.demo import run_demo

    sys.exit(run_demo(_app(ctx), _actors(ctx), keep_running=keep_running))


def _extract_file(app: App, file: Path) -> dict:
    from pipeline.errors import PipelineError
    from pipeline.signals import with_signals
    from pipeline.stages import extract as extract_stage, read

    data = file.read_bytes()
    try:
        reading = read(data, max_pages=app.settings.max_pages)
        return with_signals(data, reading, extract_stage(reading), max_pages=app.settings.max_pages)
    except PipelineError as e:
        raise click.ClickException(f"{e.code}: {e.message}") from e


def _load_document(file: Path) -> dict:
    text = file.read_text()
    if file.suffix.lower() in {".yaml", ".yml"}:
        import yaml

        return yaml.safe_load(text)
    return json.loads(text)


from infra.entry import (  # noqa: E402 - command modules
    cli_desk, cli_events, cli_holders, cli_reports, cli_uploads, cli_vendors)

cli_events.attach(main)  # coi webhook, events replay, holder contacts, expiry, scheduler
cli_uploads.attach(main)  # the upload door: coi api, coi token, coi uploads
cli_reports.attach(main)  # coi documents, coi report (issue 17)
cli_desk.attach(main)  # the desk: coi user, coi correct, coi review list/undo-* (issue 17)
cli_vendors.attach(main)  # vendors, certificate requests, samples (issue 18)
cli_holders.attach(main)  # coi holder alias (issue 17)

if __name__ == "__main__":
    main()
