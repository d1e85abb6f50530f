"""Trust signals from a certificate's own values, its producer and the account's history (pure)."""

from __future__ import annotations

import copy

import pytest

from pipeline.signals.content import content_signals
from pipeline.signals.history import history_signals
from pipeline.signals.lookalike import self_issued_signals
from pipeline.signals.metadata import metadata_signals
from pipeline.signals.model import Code, Severity


@pytest.fixture
def certificate() -> dict:
    return {
        "form": {"type": "ACORD 25", "edition": "2016/03"}, "date": "2024-05-09",
        "certificate_number": None, "revision_number": "3",
        "producer": {"name": "AmeriAgency Inc.", "address": None, "contact_name": None, "phone": None,
                     "fax": None, "email": None},
        "insured": {"name": "Sainz Construction LLC", "address": "1 Main St"},
        "insurers": [{"letter": "A", "name": "AUTO OWNERS INS CO", "naic": "18988"}],
        "policies": [
            {"line": "general_liability", "insurer_letter": "A", "policy_number": "03540988",
             "effective": "2024-01-28", "expiration": "2025-01-28",
             "limits": {"each_occurrence": 1_000_000, "general_aggregate": 2_000_000}},
            {"line": "workers_compensation", "insurer_letter": "A", "policy_number": "A106586216",
             "effective": "2024-02-03", "expiration": "2025-02-03",
             "limits": {"el_each_accident": 1_000_000, "el_disease_each_employee": 1_000_000,
                        "el_disease_policy_limit": 1_000_000}},
        ],
        "description_of_operations": None,
        "certificate_holder": {"name": "Butler Homes", "address": None}, "signed": True,
        "evidence": {"/policies/0/expiration": {"page": 1, "bbox": [1, 2, 3, 4], "confidence": 1.0}},
    }


def codes(signals) -> list[str]:
    return [s.code.value for s in signals]


def test_given_consistent_values_when_checked_then_no_signal(certificate):
    assert content_signals(certificate) == []
    assert self_issued_signals(certificate) == []


def test_given_expiration_before_effective_then_inconsistent_with_the_dates_and_evidence(certificate):
    certificate["policies"][0]["expiration"] = "2023-01-28"
    [signal] = content_signals(certificate)
    assert signal.code == Code.EXPIRATION_BEFORE_EFFECTIVE and signal.severity == Severity.INCONSISTENT
    assert "2023-01-28" in signal.message and "2024-01-28" in signal.message
    assert signal.evidence == {"pointer": "/policies/0/expiration", "page": 1, "bbox": [1, 2, 3, 4]}


@pytest.mark.parametrize(("effective", "expiration"), [("2024-06-01", "2024-06-01"), ("2024-01-28", "2034-01-28")])
def test_given_a_term_of_no_days_or_a_decade_then_implausible(certificate, effective, expiration):
    certificate["policies"][0]["effective"], certificate["policies"][0]["expiration"] = effective, expiration
    assert codes(content_signals(certificate)) == ["implausible_term"]


def test_given_a_three_year_project_policy_then_no_signal(certificate):
    certificate["policies"][0]["expiration"] = "2027-01-28"
    assert content_signals(certificate) == []


def test_given_aggregate_below_each_occurrence_then_inconsistent(certificate):
    certificate["policies"][0]["limits"]["general_aggregate"] = 500_000
    [signal] = content_signals(certificate)
    assert signal.code == Code.AGGREGATE_BELOW_OCCURRENCE and "$500,000" in signal.message


def test_given_disease_policy_limit_below_each_employee_then_inconsistent(certificate):
    certificate["policies"][1]["limits"]["el_disease_policy_limit"] = 500_000
    assert codes(content_signals(certificate)) == ["aggregate_below_occurrence"]


@pytest.mark.parametrize("naic", ["1898", "18988A", "189880"])
def test_given_a_naic_that_is_not_five_digits_then_inconsistent(certificate, naic):
    certificate["insurers"][0]["naic"] = naic
    assert codes(content_signals(certificate)) == ["naic_malformed"]


def test_given_a_naic_read_with_low_confidence_then_no_contradiction_is_claimed(certificate):
    certificate["insurers"][0]["naic"] = "1898"
    certificate["evidence"]["/insurers/0/naic"] = {"page": 1, "bbox": [0, 0, 1, 1], "confidence": 0.5}
    assert content_signals(certificate) == []


def test_given_a_certificate_dated_after_a_policy_expired_then_inconsistent(certificate):
    certificate["date"] = "2025-02-01"
    assert codes(content_signals(certificate)) == ["dated_after_expiration"]


def test_given_the_producer_is_the_insured_then_tamper(certificate):
    certificate["producer"]["name"] = "Sainz Construction, L.L.C."
    certificate["insured"]["name"] = "Sainz Construction LLC"
    [signal] = self_issued_signals(certificate)
    assert signal.code == Code.PRODUCER_IS_INSURED and signal.severity == Severity.TAMPER


def test_given_an_agency_whose_name_shares_one_word_with_the_insured_then_not_self_issued(certificate):
    certificate["producer"]["name"] = "Sainz Insurance Agency"
    assert self_issued_signals(certificate) == []


# -- producer and creator -------------------------------------------------------------------

def test_given_an_agency_file_saved_by_an_online_editor_then_tamper(certificate):
    [signal] = metadata_signals({"Creator": "Applied Epic", "Producer": "Sejda (https://www.sejda.com)",
                                 "ModDate": "D:20240509120000Z"}, certificate)
    assert signal.code == Code.EDITOR_PRODUCER and signal.severity == Severity.TAMPER
    assert "Applied Epic" in signal.message and signal.evidence["object"] == "/Info"


def test_given_a_file_made_and_saved_by_the_same_editor_then_only_a_notice(certificate):
    [signal] = metadata_signals({"Creator": "PDFfiller pdf2flat v1.5",
                                 "Producer": "PDFfiller pdf2flat v1.5; modified using iText"}, certificate)
    assert signal.severity == Severity.NOTICE


def test_given_a_certificate_typed_in_word_then_tamper(certificate):
    [signal] = metadata_signals({"Creator": "Microsoft® Word for Microsoft 365"}, certificate)
    assert signal.severity == Severity.TAMPER and "word processor" in signal.message


def test_given_an_agency_system_producer_then_no_signal(certificate):
    assert metadata_signals({"Producer": "Lockton via ABCpdf", "ModDate": "D:20240510"}, certificate) == []


def test_given_a_file_changed_months_after_the_certificate_date_then_a_notice(certificate):
    [signal] = metadata_signals({"ModDate": "D:20241101120000-05'00'"}, certificate)
    assert signal.code == Code.MODIFIED_AFTER_ISSUE and signal.severity == Severity.NOTICE
    assert "176 days" in signal.message


# -- the account's history ------------------------------------------------------------------

def test_given_a_naic_seen_under_another_insurer_then_inconsistent(certificate):
    earlier = copy.deepcopy(certificate)
    earlier["insurers"][0]["name"] = "Zurich American Insurance Company"
    assert codes(history_signals(certificate, [earlier])) == ["naic_other_insurer"]


def test_given_the_same_insurer_spelled_differently_then_no_signal(certificate):
    earlier = copy.deepcopy(certificate)
    earlier["insurers"][0]["name"] = "Auto-Owners Insurance Company"
    assert history_signals(certificate, [earlier]) == []


def test_given_a_policy_number_of_another_insured_then_inconsistent(certificate):
    earlier = copy.deepcopy(certificate)
    earlier["insured"]["name"] = "Redstone Roofing Inc."
    earlier["revision_number"] = None
    found = history_signals(certificate, [earlier])
    assert codes(found) == ["policy_other_insured", "policy_other_insured"]
    assert "Redstone Roofing" in found[0].message


def test_given_changed_limits_under_the_same_revision_number_then_inconsistent(certificate):
    earlier = copy.deepcopy(certificate)
    earlier["policies"][0]["limits"]["each_occurrence"] = 500_000
    [signal] = history_signals(certificate, [earlier])
    assert signal.code == Code.REVISION_NOT_RAISED and "$500,000" in signal.message


def test_given_a_revised_certificate_with_a_new_revision_number_then_no_signal(certificate):
    earlier = copy.deepcopy(certificate)
    earlier["policies"][0]["limits"]["each_occurrence"] = 500_000
    earlier["revision_number"] = "2"
    assert history_signals(certificate, [earlier]) == []


def test_given_earlier_certificates_cut_to_the_compared_keys_then_the_same_history_signals(certificate):
    """The extract step loads only ``COMPARED`` of each earlier certificate (workers/trust.py): every
    history signal must come out the same from that cut as from the whole certificates."""
    from pipeline.signals.history import COMPARED

    other_insurer, other_insured, same_revision = (copy.deepcopy(certificate) for _ in range(3))
    other_insurer["insurers"][0]["name"] = "Zurich American Insurance Company"
    other_insured["insured"]["name"] = "Redstone Roofing Inc."
    other_insured["revision_number"] = None
    same_revision["policies"][0]["limits"]["each_occurrence"] = 500_000
    earlier = [other_insurer, other_insured, same_revision]
    cut = [{key: other[key] for key in COMPARED if other.get(key) is not None} for other in earlier]
    whole = history_signals(certificate, earlier)
    assert sorted(codes(whole)) == ["naic_other_insurer", "policy_other_insured", "policy_other_insured",
                                    "revision_not_raised"]
    assert history_signals(certificate, cut) == whole


def test_given_the_same_earlier_certificates_twice_then_their_names_are_normalised_once(certificate, monkeypatch):
    """An account's earlier certificates are compared with every new one: each distinct name is
    normalised once per process, not once per new certificate; the signals are the same."""
    from pipeline.signals import history

    other = copy.deepcopy(certificate)
    other["insurers"][0]["name"] = "Zurich American Insurance Company of Bonn"  # a text no other test has
    other["insured"]["name"] = "Redstone Roofing of Bonn Inc."
    other["revision_number"] = None
    seen: list = []
    monkeypatch.setattr(history, "normalise", lambda text, whole=history.normalise: seen.append(text) or whole(text))
    first = history_signals(certificate, [other])
    once = list(seen)
    assert history_signals(certificate, [other]) == first
    assert codes(first) == ["naic_other_insurer", "policy_other_insured", "policy_other_insured"]
    assert "Zurich American Insurance Company of Bonn" in once and "Redstone Roofing of Bonn Inc." in once
    assert seen == once  # the second time, nothing normalised again


def test_given_a_policy_number_that_is_no_text_then_it_is_compared_uncached(certificate):
    """A policy number that is no text (an older row's data, a list) is keyed every time, as text, never cached
    (a list in the cache would raise): it is still compared."""
    earlier = copy.deepcopy(certificate)
    earlier["insured"]["name"] = "Redstone Roofing Inc."
    earlier["revision_number"] = None
    mine = copy.deepcopy(certificate)
    mine["policies"][0]["policy_number"] = ["CGL", 12345678]
    earlier["policies"][0]["policy_number"] = ["CGL", 12345678]
    assert "policy_other_insured" in codes(history_signals(mine, [earlier]))
