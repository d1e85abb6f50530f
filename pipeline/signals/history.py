"""Signals against the account's own history: earlier certificates of the same account, passed in
(the stage does not query anything itself)."""

from __future__ import annotations

import functools
from typing import Any, Callable, Sequence

from pipeline.scoring.model import normalise
from pipeline.signals.describe import describe, shown
from pipeline.signals.model import Code, Severity, Signal

_NOISE = {"insurance", "ins", "company", "co", "of", "the", "corp", "corporation", "inc", "mutual", "casualty",
          "indemnity", "assurance", "group", "llc", "and", "america", "american", "national", "fire", "specialty"}
_PARTY_NOISE = {"llc", "inc", "co", "corp", "corporation", "company", "ltd", "lp", "llp", "the", "dba"}
MIN_POLICY_NUMBER = 5  # shorter policy "numbers" (e.g. "TBD", "1234") are not identifiers
# The keys of an earlier certificate these signals read; the rest (evidence, most of its size) is
# never compared, so a caller may load only these (workers/trust.py). A key that is absent or null
# reads as nothing alike.
COMPARED = ("insurers", "insured", "policies", "revision_number")
# Distinct texts whose keys a process keeps, for each of the three keys: an account's earlier certificates
# are compared with every new one, so their names and numbers are met again and again (and the form's few
# insurers' names). About four texts of a kind for each of the certificates workers/trust.py holds (HELD_ROWS,
# 2000); an entry of a 40-character text is ~215 bytes (tracemalloc), so ~1.8 MB a key, ~5 MB in all
KEYED_TEXTS = 8192


def _per_text(function: Callable[[Any], str]) -> Callable[[Any], str]:
    """``function`` worked out once per distinct text (a value that is no text, or None, every time)."""
    once = functools.lru_cache(maxsize=KEYED_TEXTS)(function)

    @functools.wraps(function)
    def keyed(value: Any) -> str:
        return once(value) if isinstance(value, str) else function(value)
    return keyed


def compared(certificate: dict[str, Any]) -> dict[str, Any]:
    """Of a certificate, what a later one is compared with: the ``COMPARED`` keys present and not null
    (kept with the certificate, so that the account's history is read without its evidence)."""
    return {key: certificate[key] for key in COMPARED if certificate.get(key) is not None}


def history_signals(certificate: dict[str, Any], earlier: Sequence[dict[str, Any]]) -> list[Signal]:
    """``earlier``: certificates the account received before this one (newest first); of each, the
    keys in ``COMPARED`` are all that is read."""
    return [*_naic(certificate, earlier), *_policy_numbers(certificate, earlier), *_revisions(certificate, earlier)]


def _naic(certificate: dict[str, Any], earlier: Sequence[dict[str, Any]]) -> list[Signal]:
    out = []
    keyed: list[list[tuple[Any, Any, str]]] | None = None  # each earlier certificate's insurers, keyed once
    for index, insurer in enumerate(certificate.get("insurers") or []):
        naic, name = insurer.get("naic"), insurer.get("name")
        if not naic or not _insurer_key(name):
            continue
        if keyed is None:
            keyed = [[(i.get("naic"), i.get("name"), key) for i in other.get("insurers") or []
                      if (key := _insurer_key(i.get("name")))] for other in earlier]
        mine = _insurer_key(name)
        for insurers in keyed:
            seen = next((their_name for their_naic, their_name, key in insurers
                         if their_naic == naic and key != mine), None)
            if seen:
                out.append(Signal(Code.NAIC_OTHER_INSURER, Severity.INCONSISTENT,
                                  f"NAIC {naic} is shown for {name}, but an earlier certificate of this account "
                                  f"shows it for {seen}; one NAIC code is one insurer. Check the insurer.",
                                  {"pointer": f"/insurers/{index}/naic", "detail": {"earlier_name": seen}}))
                break
    return out


def _policy_numbers(certificate: dict[str, Any], earlier: Sequence[dict[str, Any]]) -> list[Signal]:
    insured = _party((certificate.get("insured") or {}).get("name"))
    out = []
    others: list[tuple[Any, set[str]]] | None = None  # each earlier certificate of another insured, read once
    for index, policy in enumerate(certificate.get("policies") or []):
        number = _number(policy.get("policy_number"))
        if not number or not insured:
            continue
        if others is None:
            others = [(them, {_number(p.get("policy_number")) for p in other.get("policies") or []})
                      for other in earlier for them in [(other.get("insured") or {}).get("name")]
                      if _party(them) and _party(them) != insured]
        for them, numbers in others:
            if number in numbers:
                out.append(Signal(Code.POLICY_OTHER_INSURED, Severity.INCONSISTENT,
                                  f"Policy {policy.get('policy_number')} is also on an earlier certificate of this "
                                  f"account for another insured ({them}); a policy number belongs to one insured. "
                                  "Check with the agent.",
                                  {"pointer": f"/policies/{index}/policy_number", "detail": {"earlier_insured": them}}))
                break
    return out


def _revisions(certificate: dict[str, Any], earlier: Sequence[dict[str, Any]]) -> list[Signal]:
    revision = (certificate.get("revision_number") or "").strip()
    insured = _party((certificate.get("insured") or {}).get("name"))
    mine = _by_number(certificate)
    if not revision or not insured or not mine:
        return []
    for other in earlier:
        if (other.get("revision_number") or "").strip() != revision or _party(
                (other.get("insured") or {}).get("name")) != insured or set(_by_number(other)) != set(mine):
            continue
        changes = []
        for number, (index, policy) in mine.items():
            old = _by_number(other)[number][1]
            for key in ("effective", "expiration"):
                if old.get(key) and policy.get(key) and old[key] != policy[key]:
                    changes.append((f"/policies/{index}/{key}", old[key], policy[key]))
            for key, value in (policy.get("limits") or {}).items():
                was = (old.get("limits") or {}).get(key)
                if was is not None and value is not None and was != value:
                    changes.append((f"/policies/{index}/limits/{key}", was, value))
        if changes:
            listed = "; ".join(f"{describe(p, certificate)} was {shown(a)}, now {shown(b)}" for p, a, b in changes[:5])
            return [Signal(Code.REVISION_NOT_RAISED, Severity.INCONSISTENT,
                           f"An earlier certificate of this account for the same insured and policies has the same "
                           f"revision number ({revision}) but different values: {listed}. A revised certificate "
                           "gets a new revision number; ask the agent which is current.",
                           {"pointer": changes[0][0], "detail": {"revision_number": revision}})]
    return []


def _by_number(certificate: dict[str, Any]) -> dict[str, tuple[int, dict[str, Any]]]:
    return {n: (i, p) for i, p in enumerate(certificate.get("policies") or []) if (n := _number(p.get("policy_number")))}


@_per_text
def _number(value: Any) -> str:
    text = "".join(ch for ch in str(value or "").upper() if ch.isalnum())
    return text if len(text) >= MIN_POLICY_NUMBER and any(ch.isdigit() for ch in text) else ""


@_per_text
def _insurer_key(name: Any) -> str:
    words = [w for w in normalise(name).split() if w not in _NOISE]
    return words[0] if words else ""


@_per_text
def _party(name: Any) -> str:
    return " ".join(w for w in normalise(name).split() if w not in _PARTY_NOISE)
