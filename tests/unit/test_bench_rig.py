"""The bench rig's samples: asking for none of a kind is a bench of the other kinds, not an error."""

from __future__ import annotations

from bench.rig import official_born_digital


def test_given_no_born_digital_certificate_asked_for_when_official_samples_are_made_then_none_come_back():
    assert official_born_digital(0, seed=8) == []
