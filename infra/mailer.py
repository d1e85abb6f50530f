"""Outgoing notification email through the configured SMTP relay (``COI_NOTIFY_SMTP_*``)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from infra.settings import Settings
from pipeline.notices import Notice


class Undeliverable(Exception):
    """The relay refused the recipient or the message for good (a 5xx answer)."""


def compose(settings: Settings, recipient: str, notice: Notice, *, reference: str,
            image: bytes | None = None, sender: str | None = None, reply_to: str | None = None,
            attachments: tuple[tuple[str, bytes], ...] = ()) -> EmailMessage:
    """The email of one notice. ``sender``: its From (default ``COI_NOTIFY_FROM``); ``reply_to``:
    where a reply goes (the account's inbound address, so a corrected certificate comes back in);
    ``attachments``: (filename, PDF bytes)."""
    message = EmailMessage()
    message["From"] = sender or settings.resolved_notify_from()
    if reply_to:
        message["Reply-To"] = reply_to
    message["To"] = recipient
    message["Subject"] = notice.subject
    message["Message-ID"] = make_msgid(idstring=reference, domain=settings.inbound_domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: auto-responders must not answer it
    message["X-COI-Reference"] = reference
    message.set_content(notice.text)
    message.add_alternative(notice.html, subtype="html")
    if image is not None:
        html_part = message.get_payload()[1]
        html_part.add_related(image, maintype="image", subtype="png", cid="<certificate-page>",
                              filename="certificate-failures.png", disposition="inline")
    for filename, data in attachments:
        message.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
    return message


def send(settings: Settings, message: EmailMessage) -> None:
    """Hand the message to the relay. 4xx answers and lost connections raise the smtplib or OS
    error (the caller retries); a 5xx refusal raises Undeliverable."""
    with smtplib.SMTP(settings.notify_smtp_host, settings.notify_smtp_port, timeout=30) as client:
        if settings.notify_starttls:
            client.starttls()
        if settings.notify_smtp_user:
            client.login(settings.notify_smtp_user, settings.notify_smtp_password)
        try:
            client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if all(code >= 500 for code in codes):
                raise Undeliverable(f"the relay refused the recipient: {exc.recipients}") from exc
            raise
        except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
            if exc.smtp_code >= 500:
                raise Undeliverable(f"the relay refused the message: {exc.smtp_code} {exc.smtp_error!r}") from exc
            raise
