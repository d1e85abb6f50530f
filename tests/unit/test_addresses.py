"""Routing envelope recipients to accounts and tags."""

import pytest

from pipeline.addresses import Route, route


@pytest.mark.parametrize(("address", "expected"), [
    ("acme@coi.example", Route("acme", None)),
    ("<ACME@COI.example>", Route("acme", None)),
    ("acme+lot-14@coi.example", Route("acme", "lot-14")),
    ("acme@other.example", None),
    ("acme@sub.coi.example", None),
    ("../x@coi.example", None),
    ("acme+bad tag@coi.example", None),
    ("no-at-sign", None),
])
def test_route(address, expected):
    assert route(address, "coi.example") == expected
