"""Split an email into the files worth reading (pure: bytes in, attachments out)."""

from __future__ import annotations

import email
import email.parser
import email.policy
import logging
from dataclasses import dataclass, field
from email.message import EmailMessage

from pipeline.filetypes import SUPPORTED, safe_filename, sniff

log = logging.getLogger(__name__)

INLINE_LOGO_MAX_BYTES = 20_000
MAX_DEPTH = 10
MAX_ATTACHMENTS = 50


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Skipped:
    filename: str
    reason: str


@dataclass
class SplitResult:
    subject: str | None = None
    sender: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)  # Message-IDs it answers (In-Reply-To, then References)

    def skipped_note(self) -> str | None:
        """What was left out of a message whose other attachments were read; None when nothing was."""
        if not self.skipped:
            return None
        listed = "; ".join(f"{s.filename}: {s.reason}" for s in self.skipped[:10])
        more = f" and {len(self.skipped) - 10} more" if len(self.skipped) > 10 else ""
        return f"Not read: {listed}{more}."

    def no_attachment_reason(self) -> str:
        """A sentence for the sender when nothing in the message could be read."""
        if not self.skipped:
            return ("The message had no attachment. Attach the certificate of insurance "
                    "(ACORD 25) as a PDF, PNG, JPEG or TIFF file.")
        listed = "; ".join(f"{s.filename}: {s.reason}" for s in self.skipped[:10])
        return ("None of the attachments could be used (" + listed + "). Attach the certificate "
                "of insurance (ACORD 25) as a PDF, PNG, JPEG or TIFF file.")


def _header(message: EmailMessage, name: str) -> str | None:
    try:
        value = message.get(name)
    except Exception:  # malformed header: keep going without it
        return None
    return str(value) if value is not None else None


def _refs(message: EmailMessage) -> list[str]:
    from pipeline.vendors import message_ids

    return message_ids(_header(message, "In-Reply-To"), _header(message, "References"))


class HeadersParsedOnce(email.policy.EmailPolicy):
    """``email.policy.default``, but each header of a message is parsed once: the default policy parses
    a header again on every read (``Message.get``), and the parser and the walk read each part's
    Content-Type a dozen times over (two thirds of a split's CPU went there). A parsed header is an
    immutable ``str`` made from its name and raw value alone, so a second read gets the same object.

    ``parsed`` holds them; give each message a fresh one (:func:`one_message_policy`), so that it
    lives and dies with the message and never grows past the message's own headers."""

    parsed: dict[tuple[str, str], object] | None = None

    def header_fetch_parse(self, name, value):
        if self.parsed is None or not isinstance(value, str) or hasattr(value, "name"):
            return super().header_fetch_parse(name, value)
        key = (name, value)
        header = self.parsed.get(key)
        if header is None:
            header = self.parsed[key] = super().header_fetch_parse(name, value)
        return header


def one_message_policy() -> HeadersParsedOnce:
    """The policy to parse one message with: ``email.policy.default`` with its own parsed headers."""
    return HeadersParsedOnce(parsed={})


def split_message(raw: bytes, *, max_depth: int = MAX_DEPTH, max_attachments: int = MAX_ATTACHMENTS) -> SplitResult:
    """The attachments worth reading, and what was skipped with the reason. Never raises on bad input:
    parts nested past ``max_depth`` and attachments past ``max_attachments`` are skipped with a reason."""
    try:
        message = email.message_from_bytes(raw, policy=one_message_policy())
        result = SplitResult(subject=_header(message, "Subject"), sender=_header(message, "From"),
                             refs=_refs(message))
        _walk(message, result, depth=0, max_depth=max_depth, max_attachments=max_attachments)
    except RecursionError:  # Python's own parser recurses once per level: hundreds of levels exhaust the stack
        headers = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(raw)
        result = SplitResult(subject=_header(headers, "Subject"), sender=_header(headers, "From"),
                             refs=_refs(headers))
        result.skipped.append(Skipped("(message)", f"parts nested far deeper than {max_depth} levels; "
                                                   "attach the certificate to a plain message"))
    return result


def _walk(part: EmailMessage, result: SplitResult, *, depth: int, max_depth: int, max_attachments: int) -> None:
    if depth > max_depth:
        result.skipped.append(Skipped("(nested message)", f"nested deeper than {max_depth} levels"))
        return
    if part.is_multipart():
        for child in part.iter_parts():
            _walk(child, result, depth=depth + 1, max_depth=max_depth, max_attachments=max_attachments)
        return
    content_type = part.get_content_type()
    if content_type == "message/rfc822":
        for inner in part.get_payload() if isinstance(part.get_payload(), list) else []:
            _walk(inner, result, depth=depth + 1, max_depth=max_depth, max_attachments=max_attachments)
        return
    _leaf(part, result, max_attachments)


def _leaf(part: EmailMessage, result: SplitResult, max_attachments: int) -> None:
    try:
        raw_name = part.get_filename()
    except Exception:
        raw_name = None
    disposition = part.get_content_disposition()
    if part.get_content_maintype() == "text" and disposition != "attachment" and not raw_name:
        return  # the body
    try:
        data = part.get_payload(decode=True) or b""
    except Exception:
        data = b""
    kind = sniff(data)
    name = safe_filename(raw_name, kind)
    if kind is None:
        if data:
            result.skipped.append(Skipped(name, "not a PDF, PNG, JPEG or TIFF file"))
        else:
            result.skipped.append(Skipped(name, "the file is empty"))
        return
    is_inline_image = kind != "application/pdf" and (disposition == "inline" or part.get("Content-ID"))
    if is_inline_image and len(data) < INLINE_LOGO_MAX_BYTES:
        log.debug("skipping inline image %s (%d bytes): a signature logo", name, len(data))
        return
    if len(result.attachments) >= max_attachments:
        result.skipped.append(Skipped(name, f"more than {max_attachments} attachments in one message"))
        return
    assert kind in SUPPORTED
    result.attachments.append(Attachment(name, kind, data))
