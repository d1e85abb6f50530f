"""HTML notices keep the spaces between words: trim_blocks drops the newline after a block tag, so
a line ending in ``{% endif %}`` glued the next line's first word to the last one."""

from __future__ import annotations

import re

import pytest

from pipeline.notices import render
from test_notices import context

POLICIES = [{"line": "workers_compensation", "policy_number": "WC1", "expiration": "2026-12-01"}]
KINDS = [("decision_to_sender", {}), ("decision_to_sender", {"decision": "approved"}),
         ("review_to_holder", {"decision": "needs_review"}), ("review_to_holder", {"decision": "rejected"}),
         ("renewal_request", {"days_left": 7, "expires_on": "2026-12-01", "policies": POLICIES}),
         ("renewal_request", {"days_left": 0, "expires_on": "2026-12-01", "policies": POLICIES})]


def visible(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


@pytest.mark.parametrize(("kind", "extra"), KINDS)
def test_no_word_is_glued_to_the_one_before(kind, extra):
    html = render(kind, context(**extra)).html
    assert re.findall(r"(?:</strong>|\))[A-Za-z]", html) == []


def test_the_sentences_read_as_in_the_text_notice():
    review = visible(render("review_to_holder", context(decision="needs_review")).html)
    assert "was held for review against the requirements of Harbor Logistics &lt;HQ&gt;." in review
    renewal = visible(render("renewal_request", context(days_left=7, expires_on="2026-12-01", policies=POLICIES)).html)
    assert "(for Harbor Logistics &lt;HQ&gt;) expires on 2026-12-01, in 7 days." in renewal
    alone = visible(render("review_to_holder", context(decision="rejected", holder=None)).html)
    assert "was not accepted." in alone
