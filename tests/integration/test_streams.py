"""The account stream, read as a system inside the network would: a consumer group, acks, and
deduplication by event id when events are replayed."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from infra.admin import add_account
from infra.models import Account
from infra.repo import add_event
from workers.publish import publish_pending, stream_name

pytestmark = pytest.mark.integration


def publish_all(app) -> int:
    """``publish_pending`` with the app's collaborators, as the ``publish_events`` actor runs it."""
    return publish_pending(broker=app.broker_handle.broker, sessions=app.sessions, settings=app.settings,
                           redis=app.redis)


def test_a_consumer_group_reads_each_event_and_deduplicates_a_replay(app, monkeypatch):
    with app.sessions() as session:
        add_account(session, "acme", "Acme")
        account_id = session.scalars(select(Account.id)).one()
        for n in range(3):
            add_event(session, account_id=account_id, type="coi.message.no_attachment", dedupe_key=f"t{n}",
                      data={"account": "acme", "message_id": f"m{n}", "sender": None, "subject": None,
                            "reason": "no attachment"})
        session.commit()
    assert publish_all(app) == 3
    client, stream = app.redis, stream_name("acme")
    client.xgroup_create(stream, "erp", id="0")

    seen: dict[str, dict] = {}

    def consume() -> int:
        [(_, entries)] = client.xreadgroup("erp", "erp-1", {stream: ">"}, count=100) or [(None, [])]
        for entry_id, fields in entries:
            event = json.loads(fields[b"event"])
            seen.setdefault(event["id"], event)  # deduplicate by the CloudEvent id
            client.xack(stream, "erp", entry_id)
        return len(entries)

    assert consume() == 3 and consume() == 0  # acked: not handed out again
    monkeypatch.setenv("COI_DATABASE_URL", app.settings.resolved_database_url())
    monkeypatch.setenv("COI_BROKER_URL", app.settings.resolved_broker_url())
    monkeypatch.setenv("COI_REDIS_URL", app.settings.redis_url)  # set beside RabbitMQ
    monkeypatch.setenv("COI_VAR_DIR", str(app.settings.var_dir))
    from infra.entry.cli import main

    result = CliRunner().invoke(main, ["events", "replay", "--account", "acme", "--since", "2000-01-01", "--stream"])
    assert result.exit_code == 0, result.output
    assert "3 events" in result.output
    assert consume() == 3  # delivered again (at least once) ...
    assert len(seen) == 3  # ... and one each after deduplication
    assert client.xpending(stream, "erp")["pending"] == 0
