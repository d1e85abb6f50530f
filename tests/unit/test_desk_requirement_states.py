"""How the desk labels a holder's live requirement sets, and lays mistakes on the typed lines."""

from __future__ import annotations

from datetime import date

from inbox.desk.requirements import annotated_lines, states
from infra.models import RequirementSet
from infra.requirement_text import LineError

TODAY = date(2027, 6, 1)


def a_set(set_id: int, starts: date | None = None, ends: date | None = None) -> RequirementSet:
    return RequirementSet(id=set_id, holder_id=1, name=f"set {set_id}", body={}, effective_from=starts,
                          effective_until=ends)


def test_given_sets_of_one_holder_and_tag_then_each_is_in_force_coming_ended_or_overlapped():
    sets = [a_set(1), a_set(2, starts=date(2027, 1, 1)), a_set(3, starts=date(2028, 1, 1)),
            a_set(4, ends=date(2027, 5, 31))]
    assert states(sets, TODAY) == {1: "overlapped", 2: "in force", 3: "coming", 4: "ended"}


def test_given_only_a_coming_set_then_none_is_in_force():
    assert states([a_set(7, starts=date(2027, 6, 2))], TODAY) == {7: "coming"}


def test_given_mistakes_then_each_is_laid_on_its_line_and_one_past_the_end_gets_a_line():
    lines = annotated_lines("a: 1\nb: x\n", [LineError(2, "b is wrong"), LineError(3, "ends early"),
                                           LineError(None, "whole text")])
    assert lines == [(1, "a: 1", ["whole text"]), (2, "b: x", ["b is wrong"]), (3, "", ["ends early"])]
