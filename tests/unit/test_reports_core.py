"""The pure parts of search and reports: what of a certificate is searchable, how a phrase splits,
where a certificate stands, expiration windows, periods, counts and the CSV writer."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from pipeline.reports import Standing, Table, period_start, standing, summary, to_csv, window
from pipeline.search import search_fields, search_terms
from samples.certificates import demo_certificate

DAY = date(2026, 6, 1)


def test_given_a_certificate_then_every_party_insurer_number_and_the_description_are_searchable():
    fields = search_fields(demo_certificate())
    assert fields.insured.startswith("Blue Heron Roofing LLC ; 88 Sample Road")
    assert fields.holder.startswith("Riverside Depot Partners LP")
    assert "Lanternfish Insurance Agency" in fields.producer and "certs@lanternfish-agency.example" in fields.producer
    assert fields.insurers == "Pioneer Mutual Insurance Co ; Keystone Casualty Company"
    assert fields.naic == "12345 ; 23456"
    assert fields.policy_numbers == "CGL1234567 ; BA7654321 ; WC5550001"
    assert fields.description.startswith("Re: Riverside Depot reroof.")
    assert fields.certificate_number == "DEMO-0001"
    assert all(getattr(fields, name) in fields.body for name in ("insured", "naic", "policy_numbers"))


def test_given_unknown_values_then_they_are_left_out_not_written_as_none():
    empty = {"insured": {"name": None, "address": None}, "insurers": [{"letter": "A", "name": None, "naic": None}],
             "policies": [{"policy_number": None}], "description_of_operations": None, "producer": None}
    fields = search_fields(empty)
    assert fields.body == "" and "None" not in repr(fields.as_row())


def test_given_the_same_policy_number_twice_then_it_is_indexed_once():
    certificate = {"policies": [{"policy_number": "P-1"}, {"policy_number": "P-1"}, {"policy_number": " P-2 "}]}
    assert search_fields(certificate).policy_numbers == "P-1 ; P-2"


@pytest.mark.parametrize("phrase, terms", [
    ("Blue  heron", ["Blue", "heron"]),
    ('"Blue Heron" GL-123', ["Blue Heron", "GL-123"]),
    ("", []),
    (None, []),
    ('"unclosed phrase', ['"unclosed', "phrase"]),
])
def test_given_a_phrase_then_it_splits_into_words_and_quoted_phrases(phrase, terms):
    assert search_terms(phrase) == terms


def test_given_a_very_long_phrase_then_only_its_first_terms_count():
    assert len(search_terms(" ".join(f"w{i}" for i in range(50)))) == 8


@pytest.mark.parametrize("decision, days, within, expected", [
    ("approved", 0, 30, Standing.EXPIRED),  # a policy ending on the day no longer covers it
    ("rejected", -3, 30, Standing.EXPIRED),  # expired first, whatever the decision
    ("rejected", 100, 30, Standing.NON_COMPLIANT),
    ("needs_review", 100, 30, Standing.NEEDS_REVIEW),
    (None, 100, 30, Standing.NEEDS_REVIEW),
    ("approved", 30, 30, Standing.EXPIRING),
    ("approved", 31, 30, Standing.COMPLIANT),
    ("approved", None, 30, Standing.COMPLIANT),
    ("rejected", 10, 30, Standing.NON_COMPLIANT),  # expiring matters only once it is approved
])
def test_given_a_decision_and_an_end_then_the_certificate_stands_where_the_rule_says(decision, days, within, expected):
    from datetime import timedelta

    ends = None if days is None else DAY + timedelta(days=days)
    assert standing(decision, ends, DAY, within) is expected


@pytest.mark.parametrize("days_left, expected", [(1, 30), (30, 30), (31, 60), (60, 60), (90, 90), (91, None),
                                                 (0, None), (-5, None)])
def test_given_days_left_then_the_window_is_the_smallest_that_holds_them(days_left, expected):
    assert window(days_left) == expected


def test_given_a_day_then_its_period_starts_on_the_day_the_monday_or_the_first():
    wednesday = date(2026, 6, 10)
    assert period_start(wednesday, "day") == wednesday
    assert period_start(wednesday, "week") == date(2026, 6, 8)
    assert period_start(wednesday, "month") == date(2026, 6, 1)
    with pytest.raises(ValueError, match="day, week or month"):
        period_start(wednesday, "year")


def test_given_standings_then_the_summary_counts_each_per_holder_and_project():
    rows = [("Harbor", "", Standing.COMPLIANT), ("Harbor", "", Standing.EXPIRED), ("Harbor", "lot-14", Standing.EXPIRED),
            ("Acme", "", Standing.COMPLIANT)]
    assert summary(rows) == [("Acme", "", 0, 0, 0, 0, 1, 1), ("Harbor", "", 1, 0, 0, 0, 1, 2),
                             ("Harbor", "lot-14", 1, 0, 0, 0, 0, 1)]


def test_given_a_table_then_the_csv_has_a_header_dates_plain_empties_and_quotes_where_needed():
    table = Table("t", ("name", "day", "count", "note"),
                  [("Smith, Jones & Co", date(2026, 6, 1), 3, None), ("-1 or @SUM(A1)", None, 0, 'say "hi"')])
    text = to_csv(table)
    assert text.startswith("name,day,count,note\r\n")
    assert list(csv.reader(io.StringIO(text))) == [["name", "day", "count", "note"],
                                                   ["Smith, Jones & Co", "2026-06-01", "3", ""],
                                                   ["'-1 or @SUM(A1)", "", "0", 'say "hi"']]
    assert table.records()[0] == {"name": "Smith, Jones & Co", "day": "2026-06-01", "count": 3, "note": None}
