"""A requirement set typed as YAML: read back, or refused with each mistake on its line."""

from __future__ import annotations

from infra.requirement_text import as_yaml, read_requirements

GOOD = """\
name: Butler Homes
effective:
  from: 2027-01-01
holder:
  name: Butler Homes
lines:
  general_liability:
    required: true
    limits:
      each_occurrence: 1000000
"""


def test_given_a_valid_set_then_it_is_read_with_dates_as_text_and_shown_back_the_same():
    body, errors = read_requirements(GOOD)
    assert errors == []
    assert body["effective"]["from"] == "2027-01-01"
    assert body["lines"]["general_liability"]["limits"]["each_occurrence"] == 1_000_000
    assert read_requirements(as_yaml(body)) == (body, [])


def test_given_a_wrong_type_then_the_error_is_on_the_value_line():
    body, errors = read_requirements(GOOD.replace("1000000", "a million"))
    assert body is None
    [error] = errors
    assert error.line == 10 and "each_occurrence" in error.message and "whole number" in error.message


def test_given_a_misspelled_line_then_the_error_is_on_the_misspelled_key():
    body, errors = read_requirements(GOOD.replace("  general_liability:", "  general_liabilty:"))
    assert body is None and [e.line for e in errors] == [7]
    assert "general_liabilty" in errors[0].message


def test_given_broken_yaml_then_the_parser_mark_gives_the_line():
    text = GOOD.replace("  name: Butler Homes", "  name: [Butler Homes")
    body, errors = read_requirements(text)
    assert body is None and len(errors) == 1
    assert errors[0].line is not None and errors[0].line >= 5 and "not valid YAML" in str(errors[0])


def test_given_a_list_or_nothing_then_it_is_refused_as_not_a_set():
    for text in ("- a\n- b\n", ""):
        body, errors = read_requirements(text)
        assert body is None and errors[0].line == 1 and "mapping" in errors[0].message


def test_schema_errors_are_said_in_words_with_the_keys_allowed():
    from infra.requirement_text import read_requirements

    body, errors = read_requirements("name: Subs\nholder:\n  name: Harbor\nlines:\n  general_liability:\n"
                                     "    required: true\n    limits:\n      each_occurrence: one million\n"
                                     "  umbrela: {}\n")
    said = {e.line: e.message for e in errors}
    assert body is None
    assert said[8] == "lines/general_liability/limits/each_occurrence: 'one million' should be a whole number " \
                      "(2000000, no $ or commas)"
    assert said[9].startswith("lines: 'umbrela' is not a key here; the keys are: ") and "umbrella_liability" in said[9]
