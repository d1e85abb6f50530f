"""A stage run in place after another in the same worker thread is timed as its own stage
(workers/metrics.py ``stage_handover``), not inside the one before it."""

from __future__ import annotations

from types import SimpleNamespace

from prometheus_client import REGISTRY

from workers.metrics import StageTimer, stage_handover


def count(stage: str) -> float:
    return REGISTRY.get_sample_value("coi_stage_seconds_count", {"stage": stage}) or 0.0


def test_given_a_read_that_goes_on_to_extract_and_score_when_its_message_ends_then_each_stage_is_observed_once():
    timer = StageTimer()
    message = SimpleNamespace(actor_name="read_document", message_id="m1")
    before = {stage: count(stage) for stage in ("read", "extract", "score")}

    timer.before_process_message(None, message)
    stage_handover("extract_document")
    stage_handover("score_document")
    timer.after_process_message(None, message)

    assert {stage: count(stage) - before[stage] for stage in before} == {"read": 1, "extract": 1, "score": 1}


def test_given_no_timed_message_when_a_stage_is_handed_over_then_nothing_is_observed():
    before = count("extract")
    stage_handover("extract_document")  # a stage called outside a worker's message
    assert count("extract") == before
