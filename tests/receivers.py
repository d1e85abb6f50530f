"""Real peers on loopback for delivery tests: an HTTP webhook receiver that can refuse and then
accept, and an SMTP sink that keeps what it is sent."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from services import free_port


class WebhookReceiver:
    """Listens on ``port`` only between ``start()`` and ``stop()``: before, a POST is refused at
    the TCP level, as from a receiver that is down. Verifies signatures and counts event ids."""

    def __init__(self, secret: str | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hooks/coi"
        self.secret = secret
        self.received: list[dict] = []  # every accepted POST, duplicates included
        self.bad_signatures = 0
        self._server: ThreadingHTTPServer | None = None

    @property
    def ids(self) -> list[str]:
        return [event["id"] for event in self.received]

    def signed(self, body: bytes, headers: dict[str, str]) -> bool:
        """Both signatures check out: Standard Webhooks' (with its library, as the README shows) and,
        for one release, ``COI-Signature``."""
        from standardwebhooks.webhooks import Webhook, WebhookVerificationError

        from workers.webhooks import verify

        try:
            Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError:
            return False
        return verify(self.secret, headers.get("COI-Signature", ""), body)

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server API)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.secret and not receiver.signed(body, dict(self.headers)):
                    receiver.bad_signatures += 1
                    self.send_response(401)
                else:
                    receiver.received.append(json.loads(body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.stop()


class MailSink:
    """An aiosmtpd server on a real socket that keeps every message it is given."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list[EmailMessage] = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
                message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
                for recipient in envelope.rcpt_tos:
                    del message["X-Envelope-To"]
                    message["X-Envelope-To"] = recipient
                    sink.messages.append(message_from_bytes(message.as_bytes(), policy=policy.default))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=free_port())

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["X-Envelope-To"] == address]


@pytest.fixture
def mail_sink() -> Iterator[MailSink]:
    sink = MailSink()
    sink.controller.start()
    yield sink
    sink.controller.stop()
