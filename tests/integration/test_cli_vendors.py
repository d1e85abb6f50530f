"""``coi vendor …``, ``coi requirements sample`` and ``coi account set-from`` on a real SQLite
database, with a certificate scored by the real chain."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from infra.bootstrap import App
from infra.entry.cli import main
from infra.entry.demo import current, demo_requirements
from infra.models import Account, Document
from infra.settings import Settings
from pipeline.stages import extract, read
from samples.certificates import demo_certificate, draw_certificate

pytestmark = pytest.mark.integration


@pytest.fixture
def coi(tmp_path, monkeypatch):
    monkeypatch.setenv("COI_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("COI_INBOUND_DOMAIN", "coi.test")
    runner = CliRunner()

    def run(*args: str, ok: bool = True):
        result = runner.invoke(main, list(args), catch_exceptions=False)
        assert (result.exit_code == 0) == ok, result.output
        return result

    return run


@pytest.fixture
def acme(coi, tmp_path):
    certificate = current(demo_certificate())
    requirements = demo_requirements(certificate)
    requirements["lines"]["general_liability"]["limits"]["each_occurrence"] = 2_000_000
    path = tmp_path / "requirements.json"
    path.write_text(json.dumps(requirements))
    coi("migrate")
    coi("account", "add", "acme", "--name", "Acme")
    coi("holder", "add", certificate["certificate_holder"]["name"], "--account", "acme",
        "--address", certificate["certificate_holder"]["address"])
    coi("requirements", "set", certificate["certificate_holder"]["name"], str(path), "--account", "acme",
        "--tag", "depot-7")
    return certificate


def score_directly(tmp_path, certificate: dict) -> str:
    """A certificate through read, extract and score, as the workers do, in this process."""
    from infra.models import Certificate
    from infra.repo import add_document
    from workers.decisions import score
    from workers.vendors import after_scoring
    from datetime import date

    app = App(Settings(var_dir=tmp_path, inbound_domain="coi.test"))
    pdf = draw_certificate(certificate)
    with app.sessions() as session:
        account = session.scalars(select(Account)).one()
        document_id, _ = add_document(session, account_id=account.id, sha256="0" * 64, values={
            "source": "upload", "filename": "coi.pdf", "content_type": "application/pdf", "size": len(pdf),
            "storage_key": "x", "tag": "depot-7", "status": "extracted"})
        session.add(Certificate(document_id=document_id, data=extract(read(pdf))))
        session.flush()
        document = session.get(Document, document_id)
        score(session, document, date.today(), "initial:1")
        document.status = "decided"
        after_scoring(session, document, "coi.test", date.today())
        session.commit()
    app.close()
    return document_id


def test_given_a_holder_then_the_sample_it_prints_reads_back_with_its_holder_and_limits(coi, acme, tmp_path):
    out = tmp_path / "sample.pdf"
    printed = coi("requirements", "sample", acme["certificate_holder"]["name"], "--account", "acme",
                  "--tag", "depot-7", "--vendor", "Blue Heron Roofing LLC", "--out", str(out)).output
    assert f"sample certificate written to {out}" in printed
    certificate = extract(read(out.read_bytes()))
    assert certificate["certificate_holder"]["name"] == acme["certificate_holder"]["name"]
    limits = {p["line"]: p["limits"] for p in certificate["policies"]}
    assert limits["general_liability"]["each_occurrence"] == 2_000_000
    assert limits["workers_compensation"]["el_each_accident"] == 500_000
    assert "Project depot-7" in certificate["description_of_operations"]
    missing = coi("requirements", "sample", "Nobody", "--account", "acme", "--out", str(out), ok=False).output
    assert "No holder 'Nobody'" in missing


def test_given_a_certificate_before_its_vendor_then_adding_the_vendor_links_it_and_the_list_says_missing(
        coi, acme, tmp_path):
    document_id = score_directly(tmp_path, acme)
    waiting = coi("vendor", "unmatched", "--account", "acme").output
    assert document_id in waiting and "Blue Heron Roofing LLC" in waiting

    coi("vendor", "add", "Blue Heron Roofing", "--account", "acme", "--contact", "office@blueheron.example",
        "--tag", "depot-7")
    assert coi("vendor", "unmatched", "--account", "acme").output.strip() == "Every certificate is linked to a vendor."
    listed = coi("vendor", "list", "--account", "acme", "--missing").output
    assert "Blue Heron Roofing  missing: The newest certificate was not accepted." in listed
    shown = json.loads(coi("vendor", "show", "Blue Heron Roofing", "--account", "acme").output)
    assert [c["document_id"] for c in shown["certificates"]] == [document_id]
    assert shown["projects"] == {"depot-7": "missing"}


def test_given_bad_input_then_the_commands_say_what_to_fix(coi, acme):
    assert "is not one valid email address" in coi("vendor", "add", "X", "--account", "acme", "--contact",
                                                   "a@x.example, b@y.example", ok=False).output
    coi("vendor", "add", "Blue Heron Roofing", "--account", "acme")
    assert "has no contact to email" in coi("vendor", "request", "Blue Heron Roofing", "--account", "acme",
                                            ok=False).output
    assert "No vendor 'Nobody'" in coi("vendor", "show", "Nobody", "--account", "acme", ok=False).output
    assert "emails from risk@acme.example" in coi("account", "set-from", "acme", "Risk@Acme.example").output
    assert "is not one valid email address" in coi("account", "set-from", "acme", "nope", ok=False).output
