"""The SMTP door: a catch-all for COI_INBOUND_DOMAIN.

RCPT: ``<account>[+tag]@domain`` of a known account gets 250; an unknown account 550; any other
domain 550 (no relaying). With a certificate and key set, STARTTLS is offered, and can be required
(530 to clients that have not issued it). DATA: 250 only once the raw message is durably stored and its row
committed together with the hand-off of its split (enqueued at once, or by the workers' relay
within seconds when the broker is away); if storing or committing fails, what was written is
removed and the sender gets 451 to retry later. Blocking work runs in a thread, off the event loop.

DATA is spooled (``inbox/spool.py``): aiosmtpd would collect the whole message in memory, so the
door's server reads it line by line into a file past ``COI_SMTP_SPOOL_BYTES`` and stores it from
there; the size limit is enforced as it arrives.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import logging
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import MISSING, SMTP
from sqlalchemy import delete

from infra.keys import message_key, postmaster_key
from infra.logging import correlated
from infra.metrics import SMTP_ANSWERS
from infra.models import Handoff, InboundMessage, new_id
from infra.repo import Owed, account_by_slug, hand_on
from inbox.ratelimit import ByteBudget, RateLimiter
from inbox.spool import DataSpool
from pipeline.addresses import Route, route

if TYPE_CHECKING:
    from infra.bootstrap import App
    from workers.dispatch import SendOn

log = logging.getLogger(__name__)

MAX_RECIPIENTS = 20
POSTMASTER = "postmaster"  # RFC 5321 4.5.1: accepted always; its mail is stored under postmaster/ and logged
TEMPORARY = "451 4.3.0 Temporary local problem; please try again later"
TOO_MUCH_DATA = "552 Error: Too much mail data"  # aiosmtpd's own replies, kept word for word
LINE_TOO_LONG = "500 Line too long (see RFC5321 4.5.3.1.6)"
GONE = ""  # no reply: the client left in the middle of DATA


@dataclass(frozen=True)
class Accepted:
    account_id: int
    slug: str
    tag: str | None
    address: str


class InboxHandler:
    """The SMTP door's handler: ``send_on`` enqueues the splits it committed (workers/dispatch.py)."""

    def __init__(self, app: App, send_on: SendOn):
        self.app = app
        self.send_on = send_on
        self.domain = app.settings.inbound_domain
        self.limiter = RateLimiter(app.settings.smtp_messages_per_minute, 60.0)
        self.bytes = ByteBudget(app.settings.smtp_bytes_per_minute, 60.0)
        self.gate = SessionGate(app.settings.smtp_sessions_per_ip, app.settings.smtp_sessions)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802 (aiosmtpd API)
        client = _client(session)
        left = self.bytes.left(client)
        if left == 0:
            log.warning("rate limit: too many bytes from %s", client)
            return "421 4.7.0 Too much mail from your address in the last minute; try again later"
        declared = _declared_size(mail_options)
        if left is not None and declared is not None and declared > left:
            log.warning("rate limit: %s declared %d bytes, %d left this minute", client, declared, left)
            return "452 4.3.1 Too much mail from your address in the last minute; try this message again later"
        if not self.limiter.allow(client):
            log.warning("rate limit: too many messages from %s", client)
            return "421 4.7.0 Too many messages from your address; try again later"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd API)
        local, at, host = address.rpartition("@") if "@" in address else (address, "", "")
        if at and host.lower().rstrip(".") != self.domain.lower().rstrip("."):
            return "550 5.7.1 Relaying denied"  # an address with no domain (RFC 5321 allows only Postmaster) is ours
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        if local.lower() == POSTMASTER:  # RFC 5321 4.5.1: must be accepted; kept for the operators
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.append(rcpt_options)
            return "250 2.1.5 OK"
        target = route(address, self.domain)
        if target is None:
            return "550 5.1.1 No such mailbox"
        try:
            account = await asyncio.get_running_loop().run_in_executor(None, self._account, target)
        except Exception:
            log.exception("account lookup failed for %s", address)
            return TEMPORARY
        if account is None:
            return "550 5.1.1 No such account"
        _looked_up(envelope)[address] = account  # DATA stores under it without asking again
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.append(rcpt_options)
        return "250 2.1.5 OK"

    def _account(self, target: Route) -> Accepted | None:
        with self.app.sessions() as session:
            account = account_by_slug(session, target.account)
            return Accepted(account.id, account.slug, target.tag, "") if account else None

    def new_spool(self) -> DataSpool:
        """Where one message's DATA goes as it arrives (memory, then a file past the threshold)."""
        return DataSpool(self.app.settings.smtp_spool_bytes, self.app.settings.resolved_smtp_spool_dir())

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        message = getattr(envelope, "spool", None)  # the door's server (GatedSMTP) spools DATA
        if message is None:  # aiosmtpd's own DATA: the message in memory
            message = envelope.original_content or envelope.content
            if isinstance(message, str):
                message = message.encode("utf-8", "surrogateescape")
        size = message.size if isinstance(message, DataSpool) else len(message)
        recipients = list(envelope.rcpt_tos)
        copies = len({_postmaster_or_account(address, self.domain) for address in recipients})
        client = _client(session)
        if self.bytes.take(client, size * copies):
            log.warning("rate limit: %s sent more than %d bytes in a minute; message of %d bytes answered 452",
                        client, self.bytes.limit, size)
            return "452 4.3.1 Too much mail from your address in the last minute; try this message again later"
        try:
            ids = await asyncio.get_running_loop().run_in_executor(
                None, self.accept, message, envelope.mail_from, recipients, _looked_up(envelope))
        except Exception:
            log.exception("message from %s not accepted; answered 451", envelope.mail_from)
            return TEMPORARY
        return f"250 2.0.0 Accepted as {' '.join(ids)}"

    def accept(self, message: DataSpool | bytes, sender: str | None, recipients: list[str],
               looked_up: dict[str, Accepted] | None = None) -> list[str]:
        """Store the raw message once per account addressed, record one row per recipient (its
        address and tag) pointing at that copy, enqueue one split per copy; all or nothing.

        The split of any row of a copy splits them all (``workers/actors.py``), so twenty
        recipients of one account cost one stored copy and one parse, not twenty. ``message`` is
        the door's spool, streamed to storage, or the bytes themselves. ``looked_up``: the accounts
        RCPT found, by address, not asked for again (an account removed since then fails the insert
        of its rows, which the foreign key refuses: 451, as a lookup finding nothing did)."""
        if isinstance(message, DataSpool):
            return self._accept(message, sender, recipients, looked_up or {})
        with DataSpool(len(message) + 1) as spool:  # in memory: it is there already
            spool.write(message)
            return self._accept(spool, sender, recipients, looked_up or {})

    def _accept(self, spool: DataSpool, sender: str | None, recipients: list[str],
                looked_up: dict[str, Accepted]) -> list[str]:
        by_account: dict[str, list[tuple[str, Route, Accepted]]] = {}
        postmaster = [address for address in recipients if _postmaster_or_account(address, self.domain) is None]
        for address in recipients:
            if address in postmaster:
                continue
            target = route(address, self.domain)
            account = looked_up.get(address) or self._account(target)
            if account is None:  # removed since RCPT
                raise LookupError(f"account {target.account} disappeared")
            by_account.setdefault(account.slug, []).append((address, target, account))
        subject = _subject(spool.head(MAX_HEADER_BYTES))
        keys: list[str] = []
        ids: list[str] = []
        handoffs: list[Owed] = []
        try:
            for slug, members in by_account.items():
                lead = new_id()
                with correlated(lead):
                    key = message_key(slug, lead)
                    keys.append(key)
                    with spool.reading() as raw:
                        self.app.storage.put_file(key, raw, "message/rfc822")
                    rows = [(lead if n == 0 else new_id(), member) for n, member in enumerate(members)]
                    with self.app.sessions() as db:
                        for message_id, (address, target, account) in rows:
                            db.add(InboundMessage(id=message_id, account_id=account.account_id, storage_key=key,
                                                  sender=sender, recipient=address, tag=target.tag, size=spool.size,
                                                  subject=subject))
                        handoffs.append(hand_on(db, "split_message", lead))
                        db.commit()
                    ids.extend(message_id for message_id, _ in rows)
                    log.info("stored message once for %d recipient(s) of %s (%d bytes)", len(rows), slug, spool.size)
            if postmaster:
                key = postmaster_key(new_id())
                keys.append(key)
                with spool.reading() as raw:
                    self.app.storage.put_file(key, raw, "message/rfc822")
                log.warning("mail to postmaster from %r (subject %r, %d bytes) kept for the operators at %s",
                            sender, subject, spool.size, key)
        except Exception:
            self._undo(ids, keys, [handoff.id for handoff in handoffs])
            raise
        # stored and committed with its hand-off: the message is ours. A broker that is away now
        # leaves the split to the workers' relay (workers/handoffs.py), so the sender still gets 250.
        try:
            self.send_on(handoffs)
        except Exception:  # not the sender's to retry: a second copy would be stored
            log.exception("split of %s not enqueued; the workers' relay enqueues it", ids[0] if ids else "-")
        return ids

    def _undo(self, ids: list[str], keys: list[str], handoff_ids: list[int]) -> None:
        if handoff_ids:  # the splits of copies already committed: nothing is left for them to split
            try:
                with self.app.sessions() as db:
                    db.execute(delete(Handoff).where(Handoff.id.in_(handoff_ids)))
                    db.commit()
            except Exception:
                log.exception("could not remove the hand-offs %s after a failed accept", handoff_ids)
        for message_id in ids:
            try:
                with self.app.sessions() as db:
                    row = db.get(InboundMessage, message_id)
                    if row is not None:
                        db.delete(row)
                        db.commit()
            except Exception:
                log.exception("could not remove message row %s after a failed accept", message_id)
        for key in keys:
            try:
                self.app.storage.delete(key)
            except Exception:
                log.exception("could not remove %s after a failed accept", key)


def _looked_up(envelope) -> dict[str, Accepted]:
    """The accounts RCPT found in this transaction, by address (aiosmtpd makes a new envelope for each)."""
    found = getattr(envelope, "looked_up", None)
    if found is None:
        found = envelope.looked_up = {}
    return found


def _postmaster_or_account(address: str, domain: str) -> str | None:
    """None for the postmaster (with or without our domain), else the account a recipient routes to."""
    if address.rpartition("@")[0 if "@" in address else 2].lower() == POSTMASTER:
        return None
    return route(address, domain).account


def _client(session) -> str:
    return session.peer[0] if isinstance(session.peer, tuple) else str(session.peer)


def _declared_size(mail_options: list[str]) -> int | None:
    """The SIZE= a client declared at MAIL (RFC 1870), if any."""
    for option in mail_options:
        name, _, value = option.partition("=")
        if name.upper() == "SIZE" and value.isdigit():
            return int(value)
    return None


MAX_HEADER_BYTES = 256 * 1024  # the header section read for the Subject; a body is never parsed here


def _subject(raw: bytes) -> str | None:
    """The Subject, read from the header section alone (``raw``: the message or its first
    ``MAX_HEADER_BYTES``): the email parser, given the whole message, decodes and copies the body
    several times over (a 48 MB message cost ~400 MB for it)."""
    from email.parser import BytesHeaderParser
    from email.policy import default

    end = raw.find(b"\r\n\r\n", 0, MAX_HEADER_BYTES)
    head = raw[:end + 2] if end >= 0 else raw[:MAX_HEADER_BYTES]
    try:
        value = BytesHeaderParser(policy=default).parsebytes(head).get("Subject")
        return str(value)[:500] if value is not None else None
    except Exception:
        return None


class SessionGate:
    """Open SMTP sessions, per client IP and in all (``COI_SMTP_SESSIONS_PER_IP``, ``COI_SMTP_SESSIONS``;
    0: no cap). Used on the event loop's thread only."""

    def __init__(self, per_ip: int, total: int):
        self.per_ip, self.total = per_ip, total
        self.open: dict[str, int] = {}

    def admit(self, client: str) -> str | None:
        """None, counting the session in; or the 421 reply that refuses it."""
        if self.total and sum(self.open.values()) >= self.total:
            return "421 4.3.2 Too many connections to this server; try again later"
        if self.per_ip and self.open.get(client, 0) >= self.per_ip:
            return "421 4.7.0 Too many connections from your address; try again later"
        self.open[client] = self.open.get(client, 0) + 1
        return None

    def leave(self, client: str) -> None:
        left = self.open.get(client, 0) - 1
        if left > 0:
            self.open[client] = left
        else:
            self.open.pop(client, None)


# aiosmtpd's SMTP.smtp_DATA, as read for GatedSMTP.smtp_DATA (aiosmtpd 1.4.6): a test fails when the
# installed one differs, so the override is read again against it.
AIOSMTPD_DATA_SHA256 = "3a33f30d3fd6d02f39c7d78a08288bffea9170525b62e2161568041ae7e018df"


def aiosmtpd_data_digest() -> str:
    return hashlib.sha256(inspect.getsource(SMTP.smtp_DATA).encode()).hexdigest()


class GatedSMTP(SMTP):
    """aiosmtpd's server, refusing a session past the handler's :class:`SessionGate` with 421 in
    place of its greeting, and spooling DATA (:meth:`smtp_DATA`) instead of holding it in memory."""

    _admitted: str | None = None
    _refusal: str | None = None

    def connection_made(self, transport) -> None:
        if self._admitted is None and self._refusal is None:  # not again after STARTTLS
            peer = transport.get_extra_info("peername")
            client = peer[0] if isinstance(peer, tuple) else str(peer)
            self._refusal = self.event_handler.gate.admit(client)
            if self._refusal is None:
                self._admitted = client
            else:
                log.warning("refused a session from %s: %s", client, self._refusal)
        super().connection_made(transport)

    def connection_lost(self, error) -> None:
        if self._admitted is not None:
            self.event_handler.gate.leave(self._admitted)
            self._admitted = None
        super().connection_lost(error)

    async def _handle_client(self) -> None:
        if self._refusal is not None:
            await self.push(self._refusal)
            self.transport.close()
            return
        await super()._handle_client()

    async def smtp_DATA(self, arg: str) -> None:  # noqa: N802 (aiosmtpd API)
        """aiosmtpd's DATA (its checks, replies, end-of-data line, dot-unstuffing, line and size
        limits), with the message written to the handler's :class:`DataSpool` as it arrives instead
        of a list of lines in memory. Past ``data_size_limit`` (or a line past ``line_length_limit``)
        the spool is dropped at once and the rest is read and counted, not kept; the reply (552,
        500) comes after the end-of-data line, as RFC 5321 4.2.5 has it and aiosmtpd does. The
        handler gets the spool as ``envelope.spool`` (``content`` only when ``decode_data`` asks for
        text); the spool is closed on every way out: stored, refused, or the client gone."""
        if await self.check_helo_needed():
            return
        if await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        with self.event_handler.new_spool() as spool:
            refusal = await self._read_data(spool)
            if refusal == GONE:
                return
            if refusal is not None:
                await self.push(refusal)
                self._set_post_data_state()
                return
            if self._decode_data:  # text wanted: the whole message in memory, as aiosmtpd gives it
                original = spool.getvalue()
                if self.enable_SMTPUTF8:
                    self.envelope.content = original.decode("utf-8", errors="surrogateescape")
                else:
                    try:
                        self.envelope.content = original.decode("ascii", errors="strict")
                    except UnicodeDecodeError:
                        await self.push("500 Error: strict ASCII mode")
                        return
                self.envelope.original_content = original
            self.envelope.spool = spool
            status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push("250 OK" if status is MISSING else status)

    async def _read_data(self, spool: DataSpool) -> str | None:
        """Read DATA up to its end-of-data line into ``spool``, dot-unstuffed; None, or the reply
        refusing it (too much, a line too long, or the client gone). Sizes count the bytes as sent,
        as aiosmtpd counts them."""
        limit = self.data_size_limit
        received = 0
        refusal: str | None = None
        fragments: list[bytes] = []  # a line past the reader's limit, in pieces (then only counted)
        held: list[bytes] = []  # lines read, not yet spooled: written SPOOL_WRITE_BYTES at a time
        held_bytes = 0
        while self.transport is not None:
            try:  # eof_received cancels this coroutine, so readuntil never raises IncompleteReadError
                line = await self._reader.readuntil(b"\r\n")
            except asyncio.CancelledError:
                log.info("connection lost during DATA")
                self._writer.close()
                raise
            except asyncio.LimitOverrunError as e:  # past the reader's limit: drain it, keep nothing
                refusal = refusal or LINE_TOO_LONG
                spool.discard()
                line = await self._reader.read(e.consumed)
            if not fragments and line == b".\r\n":  # only <CRLF>.<CRLF> ends the data
                return refusal or (_spooled(spool, b"".join(held)) if held else None)
            received += len(line)
            if refusal is None and limit and received > limit:
                refusal = TOO_MUCH_DATA
                spool.discard()
            if not fragments and line.endswith(b"\r\n"):  # a line in one piece (nearly every line)
                whole = line
            else:
                fragments.append(line)
                if not line.endswith(b"\r\n"):
                    continue
                whole = b"".join(fragments)
            fragments.clear()
            if refusal is not None:
                continue
            if len(whole) > self.line_length_limit:
                refusal = LINE_TOO_LONG
                spool.discard()
                continue
            held.append(whole[1:] if whole.startswith(b".") else whole)  # RFC 5321 4.5.2: a doubled leading dot
            held_bytes += len(whole)
            if held_bytes >= SPOOL_WRITE_BYTES:
                refusal = _spooled(spool, b"".join(held))
                held.clear()
                held_bytes = 0
        spool.discard()  # the transport went without the end-of-data line: nothing to hand over
        return GONE


SPOOL_WRITE_BYTES = 16 * 1024  # DATA's lines are written to the spool this many bytes at a time, not one by one


def _spooled(spool: DataSpool, lines: bytes) -> str | None:
    """Write lines; None, or 451 when the spool folder refuses them (full, gone): the sender tries
    again later, and what it still sends is read and dropped."""
    try:
        spool.write(lines)
        return None
    except OSError:
        log.exception("could not spool a message's DATA; it will be answered 451")
        spool.discard()
        return TEMPORARY

class CountedSMTP(GatedSMTP):
    """aiosmtpd's server, counting each reply by its code (``coi_smtp_answers_total``, docs/metrics.md),
    those of the handler above and aiosmtpd's own (552 too large, 530, 500 syntax) alike."""

    async def push(self, status) -> None:
        line = status.decode("ascii", "replace") if isinstance(status, bytes) else status
        if line[3:4] != "-":  # the last line of a reply (EHLO sends several)
            code = line[:3]
            SMTP_ANSWERS.labels(code if code.isdigit() else "other").inc()
        await super().push(status)


class Door(Controller):
    """aiosmtpd's controller, starting and stopping with it what deletes the door's enqueued hand-offs
    (``flush``: the door's ``send_on`` when it is a ``Flushed``, workers/dispatch.py); stopped after the
    server, so the last messages' rows go too."""

    def __init__(self, handler, *, flush=None, **kwargs):
        super().__init__(handler, **kwargs)
        self.flush = flush

    def factory(self) -> SMTP:
        return CountedSMTP(self.handler, **self.SMTP_kwargs)

    def start(self) -> None:
        super().start()  # a message before the flush runs is deleted at once, as without it
        if self.flush is not None:
            self.flush.start()

    def stop(self, no_assert: bool = False) -> None:
        try:
            super().stop(no_assert=no_assert)
        finally:
            if self.flush is not None:
                self.flush.stop()


def make_controller(app: App, send_on: SendOn, *, host: str | None = None,
                    port: int | None = None) -> Controller:
    """The SMTP door on ``app``'s settings, storage and database; ``send_on`` enqueues what it accepts
    (``Actors.send_on`` of the actors its entry point declared, or ``Actors.flushed_send_on()``, which
    the door starts and stops with itself: the rows of a second's messages deleted in one statement)."""
    from workers.dispatch import Flushed

    settings = app.settings
    settings.resolved_smtp_spool_dir().mkdir(parents=True, exist_ok=True)
    tls = {}
    if settings.smtp_tls_cert is not None:
        tls = {"tls_context": tls_context(settings.smtp_tls_cert, settings.smtp_tls_key),
               "require_starttls": settings.smtp_require_starttls}
    return Door(
        InboxHandler(app, send_on),
        flush=send_on if isinstance(send_on, Flushed) else None,
        hostname=host or settings.smtp_host,
        port=settings.smtp_port if port is None else port,
        data_size_limit=settings.max_message_bytes,
        enable_SMTPUTF8=True,
        ident="coi-intake",
        server_hostname=settings.inbound_domain,
        **tls,
    )


def tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    """The door's STARTTLS context: TLS 1.2 or newer, no client certificates asked for."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    return context
