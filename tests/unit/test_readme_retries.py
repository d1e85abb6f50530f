"""The README states the retry count the code uses, once."""

from __future__ import annotations

import re
from pathlib import Path

from workers.outcomes import MAX_RETRIES

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_gives_the_retry_count_of_the_code():
    said = re.findall(r"retried with backoff up to (\d+) times", README.read_text())
    assert said == [str(MAX_RETRIES)]
