"""The document state machine."""

import pytest

from pipeline.states import DocumentStatus as S
from pipeline.states import InvalidTransition, check_transition, reached


def test_the_happy_path_is_allowed_in_order():
    path = [S.RECEIVED, S.STORED, S.READING, S.EXTRACTED, S.DECIDED]
    for current, new in zip(path, path[1:]):
        check_transition(current, new)


@pytest.mark.parametrize(("current", "new"), [
    (S.DECIDED, S.READING), (S.DECIDED, S.STORED), (S.FAILED, S.READING), (S.EXTRACTED, S.READING), (S.STORED, S.DECIDED),
])
def test_a_document_never_goes_back_or_skips_ahead(current, new):
    with pytest.raises(InvalidTransition):
        check_transition(current, new)


def test_reached_counts_final_states_as_past_every_stage():
    assert reached(S.EXTRACTED, S.READING)
    assert not reached(S.STORED, S.EXTRACTED)
    assert reached(S.NOT_A_CERTIFICATE, S.EXTRACTED)


def test_a_failed_document_can_be_sent_through_again_from_stored():
    check_transition(S.FAILED, S.STORED)
    check_transition(S.NOT_A_CERTIFICATE, S.STORED)
