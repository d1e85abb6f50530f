"""How each value was found -> the confidence its evidence gets: data in ``confidence.json``, set
from the bench's by-how table on the validation split (bench/report.py ``by_how``), not in code."""

from __future__ import annotations

import json
from importlib import resources

HOW: dict[str, float] = {how: entry["confidence"] for how, entry in json.loads(
    resources.files("pipeline.acord25").joinpath("confidence.json").read_text())["how"].items()}
