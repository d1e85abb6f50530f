"""workers/notify.py: the annotated picture is drawn with the page registrations stored with the reading."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from infra.keys import reading_key
from pipeline.registration import PageRegistration

KEY = "accounts/acme/documents/abc/scan.png"
STORED = PageRegistration(turn=180, turned_by="rules", skew=0.5, size=(612.0, 792.0))
FAILED = [{"code": "insured_mismatch", "outcome": "fail", "evidence": {"page": 1, "bbox": [1, 2, 3, 4]}}]


class DictStorage:
    def __init__(self, objects: dict[str, bytes]) -> None:
        self.objects = objects

    def get(self, key: str) -> bytes:
        return self.objects[key]

    def exists(self, key: str) -> bool:
        return key in self.objects


class OneDocument:
    def get(self, model, document_id):
        return SimpleNamespace(id=document_id, storage_key=KEY)


def _event():
    return SimpleNamespace(document_id="doc-1", data={"decision": "rejected", "failed_checks": FAILED})


@pytest.fixture
def drawn(monkeypatch):
    calls = []
    monkeypatch.setattr("pipeline.annotate.annotate_failures",
                        lambda document, checks, **kw: calls.append((document, checks, kw)) or b"png")
    return calls


def test_given_a_reading_with_registrations_when_the_picture_is_drawn_then_they_are_passed(drawn):
    from workers.notify import _picture

    reading = {"method": "ocr", "pages": [{"number": 1, "width": 612, "height": 792, "words": [],
                                           "registration": STORED.to_dict()}]}
    storage = DictStorage({KEY: b"scan", reading_key(KEY): json.dumps(reading).encode()})
    assert _picture(OneDocument(), storage, object(), _event()) == b"png"
    [(document, checks, kw)] = drawn
    assert document == b"scan" and checks == FAILED
    assert kw["registrations"] == {1: STORED}


def test_given_no_stored_reading_when_the_picture_is_drawn_then_no_registrations_are_passed(drawn):
    from workers.notify import _picture

    assert _picture(OneDocument(), DictStorage({KEY: b"scan"}), object(), _event()) == b"png"
    assert drawn[0][2]["registrations"] == {}
