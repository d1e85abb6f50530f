"""The checks of one requirement set against one certificate (pure)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pipeline.scoring.model import CONFIDENT, Check, Reason, difference, money, normalise
from pipeline.scoring.names import LIMIT_NAMES, LINE_NAMES, UMBRELLA_STACKS, RATING_SCALE, rating_rank

ENDORSEMENTS = (
    ("additional_insured", "additional insured", Reason.ADDITIONAL_INSURED_MISSING),
    ("subrogation_waived", "waiver of subrogation", Reason.SUBROGATION_WAIVER_MISSING),
)


class Scorer:
    def __init__(self, certificate: dict[str, Any], requirements: dict[str, Any], as_of: date):
        self.cert = certificate
        self.req = requirements
        self.as_of = as_of
        self.evidence: dict[str, Any] = certificate.get("evidence") or {}
        self.holder_label = (requirements.get("holder") or {}).get("name") or requirements.get("name") or "The holder"
        self.checks: list[Check] = []

    # -- plumbing ---------------------------------------------------------------------------

    def confidence(self, pointers: tuple[str, ...]) -> float | None:
        known = [float(self.evidence[p].get("confidence", 1.0)) for p in pointers if p in self.evidence]
        return min(known) if known else None

    def add(self, code: Reason, ok: bool, message: str, *, requirement: str,
            pointers: tuple[str, ...] = (), **fields: Any) -> None:
        confidence = self.confidence(pointers)
        outcome = "pass" if ok else "fail"
        if confidence is not None and confidence < CONFIDENT:
            fields["read_as"], outcome = outcome, "unknown"
            message += f" (read with low confidence, {confidence:.2f}: a person will confirm it)"
        evidence = next((self.evidence[p] for p in pointers if p in self.evidence), None)
        self.checks.append(Check(code.value, outcome, message, requirement=requirement, confidence=confidence,
                                 evidence=evidence, **fields))

    def policies(self, line: str) -> list[tuple[int, dict[str, Any]]]:
        lines = {line, "excess_liability"} if line == "umbrella_liability" else {line}
        return [(i, p) for i, p in enumerate(self.cert.get("policies") or []) if p.get("line") in lines]

    def run(self) -> list[Check]:
        self.check_holder()
        self.check_insured()
        self.check_signature()
        self.check_edition()
        self.check_description()
        for line, rule in (self.req.get("lines") or {}).items():
            self.check_line(line, rule or {})
        return self.checks

    # -- the whole certificate ----------------------------------------------------------------

    def check_holder(self) -> None:
        want = self.req.get("holder") or {}
        got = self.cert.get("certificate_holder") or {}
        for part in ("name", "address"):
            if not want.get(part):
                continue
            ok = normalise(got.get(part)) == normalise(want[part])
            alias = None if ok or part != "name" else accepted_alias(got.get(part), want.get("aliases"))
            message = (f"The certificate holder {part} matches." if ok else
                       f"The certificate holder name matches the accepted alternative name {alias!r}." if alias else
                       f"The certificate holder {part} reads {got.get(part) or 'nothing'!r}; it must read "
                       f"{want[part]!r}{difference(got.get(part), want[part])}.")
            ok = ok or alias is not None
            self.add(Reason.HOLDER_MISMATCH, ok, message, requirement=f"holder.{part}", key=part,
                     expected=want[part], actual=got.get(part), pointers=(f"/certificate_holder/{part}",))

    def check_insured(self) -> None:
        want = self.req.get("insured_name")
        if not want:
            return
        got = (self.cert.get("insured") or {}).get("name")
        ok = bool(normalise(want)) and normalise(want) in normalise(got)
        self.add(Reason.INSURED_MISMATCH, ok,
                 "The insured name matches." if ok else f"The insured is {got or 'not shown'!r}; "
                 f"the certificate must name {want!r}.",
                 requirement="insured_name", expected=want, actual=got, pointers=("/insured/name",))

    def check_signature(self) -> None:
        if not self.req.get("signature_required"):
            return
        signed = self.cert.get("signed")
        self.add(Reason.NOT_SIGNED, signed is True,
                 "The certificate is signed by an authorized representative." if signed
                 else "The certificate is not signed by an authorized representative.",
                 requirement="signature_required", expected=True, actual=signed, pointers=("/signed",))

    def check_edition(self) -> None:
        allowed = self.req.get("editions")
        if not allowed:
            return
        edition = (self.cert.get("form") or {}).get("edition")
        self.add(Reason.EDITION_NOT_ACCEPTED, edition in allowed,
                 f"The form is ACORD 25 ({edition or 'edition unknown'}); {self.holder_label} accepts "
                 f"{', '.join(allowed)}.", requirement="editions", expected=allowed, actual=edition,
                 pointers=("/form/edition",))

    def check_description(self) -> None:
        text = normalise(self.cert.get("description_of_operations"))
        for phrase in self.req.get("description_must_mention") or []:
            ok = normalise(phrase) in text
            self.add(Reason.DESCRIPTION_MISSING_REFERENCE, ok,
                     f"The description of operations mentions {phrase!r}." if ok
                     else f"The description of operations must mention {phrase!r}; it does not.",
                     requirement="description_must_mention", expected=phrase,
                     pointers=("/description_of_operations",))

    # -- one coverage line --------------------------------------------------------------------

    def check_line(self, line: str, rule: dict[str, Any]) -> None:
        name = LINE_NAMES.get(line, line)
        found = self.policies(line)
        at = f"lines.{line}"
        if not found:
            if rule.get("required"):
                self.add(Reason.LINE_MISSING, False, f"{name} is not on the certificate; {self.holder_label} "
                         "requires it.", requirement=f"{at}.required", line=line)
            return
        index, policy = max(found, key=lambda item: _limit_total(item[1]))
        base = f"/policies/{index}"
        if rule.get("required"):
            self.check_dates(line, name, policy, base)
        elif _date(policy.get("expiration")) and _date(policy.get("expiration")) <= self.as_of:
            self.add(Reason.POLICY_EXPIRED, False, f"{name} expired on {policy['expiration']}.",
                     requirement=at, line=line, key="expiration", actual=policy["expiration"],
                     pointers=(f"{base}/expiration",))
        if rule.get("basis") == "occurrence":
            basis = policy.get("basis")
            self.add(Reason.BASIS_MISMATCH, basis == "occurrence",
                     f"{name} is written on an occurrence basis." if basis == "occurrence" else
                     f"{name} is {(basis or 'not marked occurrence or claims-made').replace('_', '-')}; "
                     f"{self.holder_label} requires occurrence.",
                     requirement=f"{at}.basis", line=line, key="basis", expected="occurrence", actual=basis,
                     pointers=(f"{base}/basis",))
        for key, label, code in ENDORSEMENTS:
            if rule.get(key):
                value = policy.get(key)
                self.add(code, value is True, f"{name} shows {label}." if value is True else
                         f"{name} does not show {label} (the {'ADDL INSD' if key == 'additional_insured' else 'SUBR WVD'}"
                         f" column must show Y); {self.holder_label} requires it.",
                         requirement=f"{at}.{key}", line=line, key=key, expected=True, actual=value,
                         pointers=(f"{base}/{key}",))
        if rule.get("primary_noncontributory"):
            self.check_primary_noncontributory(line, name, at)
        if rule.get("statutory"):
            value = policy.get("statutory")
            self.add(Reason.STATUTORY_MISSING, value is True,
                     f"{name} is marked PER STATUTE." if value is True else
                     f"{name} is not marked PER STATUTE; {self.holder_label} requires statutory limits.",
                     requirement=f"{at}.statutory", line=line, key="statutory", expected=True, actual=value,
                     pointers=(f"{base}/statutory",))
        self.check_limits(line, name, rule, policy, base)
        if rule.get("required"):
            self.check_insurer(line, name, policy, base)

    def check_primary_noncontributory(self, line: str, name: str, at: str) -> None:
        text = normalise(self.cert.get("description_of_operations")).replace("noncontributory", "non contributory")
        ok = "primary" in text and "non contributory" in text
        self.add(Reason.PRIMARY_NONCONTRIBUTORY_MISSING, ok,
                 "The description of operations states the coverage is primary and non-contributory." if ok else
                 "The ACORD 25 has no box for primary and non-contributory, so only the description of "
                 f"operations can show it; it does not say so, and {self.holder_label} requires it for "
                 f"{name.lower()}.",
                 requirement=f"{at}.primary_noncontributory", line=line, key="primary_noncontributory",
                 expected=True, pointers=("/description_of_operations",))

    def check_limits(self, line: str, name: str, rule: dict[str, Any], policy: dict[str, Any], base: str) -> None:
        limits = policy.get("limits") or {}
        umbrella = self.umbrella() if rule.get("umbrella_follows_form") else None
        for key, minimum in (rule.get("limits") or {}).items():
            actual = limits.get(key)
            label = f"{name} {LIMIT_NAMES.get(key, key.replace('_', ' '))}"
            pointers = (f"{base}/limits/{key}",)
            ok = actual is not None and actual >= minimum
            shown = money(actual)
            stack_key = UMBRELLA_STACKS.get(key)
            if not ok and actual is not None and umbrella and stack_key:
                extra = (umbrella[1].get("limits") or {}).get(stack_key)
                if extra:
                    pointers += (f"/policies/{umbrella[0]}/limits/{stack_key}",)
                    ok = actual + extra >= minimum
                    shown = f"{money(actual)} plus {money(extra)} umbrella/excess (follow form), {money(actual + extra)}"
            self.add(Reason.LIMIT_BELOW_MINIMUM, ok,
                     f"{label} is {shown}; {self.holder_label} requires {money(minimum)}." if not ok
                     else f"{label} is {shown} (at least {money(minimum)}).",
                     requirement=f"lines.{line}.limits.{key}", line=line, key=key, expected=minimum, actual=actual,
                     pointers=pointers)

    def umbrella(self) -> tuple[int, dict[str, Any]] | None:
        """An umbrella or excess row in force today, to stack on underlying limits."""
        rows = [(i, p) for i, p in self.policies("umbrella_liability")
                if (_date(p.get("expiration")) or date.min) > self.as_of]
        return max(rows, key=lambda item: _limit_total(item[1])) if rows else None

    def check_insurer(self, line: str, name: str, policy: dict[str, Any], base: str) -> None:
        letter = policy.get("insurer_letter")
        insurer = next((i for i in self.cert.get("insurers") or [] if i.get("letter") == letter), {})
        naic = insurer.get("naic")
        index = next((k for k, i in enumerate(self.cert.get("insurers") or []) if i.get("letter") == letter), None)
        pointers = (f"/insurers/{index}/naic",) if index is not None else ()
        accepted = self.req.get("insurers_naic")
        if accepted:
            self.add(Reason.INSURER_NOT_ACCEPTED, naic in accepted,
                     f"{name} is written by {insurer.get('name') or 'an unnamed insurer'} (NAIC {naic or 'not shown'});"
                     f" {self.holder_label} accepts NAIC {', '.join(accepted)}.",
                     requirement="insurers_naic", line=line, key="naic", expected=accepted, actual=naic,
                     pointers=pointers)
        minimum = self.req.get("minimum_insurer_rating")
        if minimum:
            rating = (self.req.get("insurer_ratings") or {}).get(naic or "")
            rank, needed = rating_rank(rating), rating_rank(minimum)
            who = f"{insurer.get('name') or 'The insurer'} (NAIC {naic or 'not shown'})"
            if rank is None:
                self.checks.append(Check(
                    Reason.INSURER_RATING_BELOW_MINIMUM.value, "unknown",
                    f"{who} for {name.lower()} is not on {self.holder_label}'s rating list; a person must check "
                    f"it is rated at least {minimum}.", requirement="minimum_insurer_rating", line=line,
                    key="rating", expected=minimum, actual=None))
            else:
                self.add(Reason.INSURER_RATING_BELOW_MINIMUM, rank <= needed,
                         f"{who} is rated {RATING_SCALE[rank]}; {self.holder_label} requires at least {minimum}.",
                         requirement="minimum_insurer_rating", line=line, key="rating", expected=minimum,
                         actual=rating, pointers=pointers)

    def check_dates(self, line: str, name: str, policy: dict[str, Any], base: str) -> None:
        expiration, effective = _date(policy.get("expiration")), _date(policy.get("effective"))
        pointers = (f"{base}/expiration",)
        at = f"lines.{line}"
        if expiration is None:
            self.add(Reason.POLICY_EXPIRED, False, f"{name} shows no expiration date.", requirement=at,
                     line=line, key="expiration", pointers=pointers)
            return
        if expiration <= self.as_of:
            self.add(Reason.POLICY_EXPIRED, False, f"{name} expired on {expiration.isoformat()}.", requirement=at,
                     line=line, key="expiration", actual=expiration.isoformat(), pointers=pointers)
            return
        self.add(Reason.POLICY_EXPIRED, True, f"{name} is in force until {expiration.isoformat()}.",
                 requirement=at, line=line, key="expiration", actual=expiration.isoformat(), pointers=pointers)
        ahead = self.req.get("valid_days_ahead")
        if ahead:
            needed = self.as_of + timedelta(days=int(ahead))
            ok = expiration > needed
            self.add(Reason.POLICY_EXPIRING, ok,
                     f"{name} expires on {expiration.isoformat()}"
                     + (f", more than {ahead} days ahead." if ok else
                        f"; {self.holder_label} needs it in force for at least {ahead} more days (past "
                        f"{needed.isoformat()})."),
                     requirement="valid_days_ahead", line=line, key="expiration", expected=needed.isoformat(),
                     actual=expiration.isoformat(), pointers=pointers)
        term = self.req.get("term") or {}
        start, end = _date(term.get("start")), _date(term.get("end"))
        if start or end:
            ok = (start is None or (effective is not None and effective <= start)) and (end is None or expiration >= end)
            self.add(Reason.TERM_NOT_COVERED, ok,
                     f"{name} runs {policy.get('effective') or '(no start date)'} to {expiration.isoformat()}; "
                     f"the contract term is {term.get('start') or '…'} to {term.get('end') or '…'}"
                     + ("." if ok else ", which it does not cover."),
                     requirement="term", line=line, key="term", expected=term,
                     actual=[policy.get("effective"), policy.get("expiration")],
                     pointers=pointers + (f"{base}/effective",))


def _limit_total(policy: dict[str, Any]) -> int:
    return sum(v for v in (policy.get("limits") or {}).values() if isinstance(v, int))


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def accepted_alias(name: str | None, aliases: list[str] | None) -> str | None:
    """The accepted alternative name ``name`` reads as (compared as the holder check compares), if any."""
    wanted = normalise(name)
    return next((a for a in aliases or () if wanted and normalise(a) == wanted), None)
