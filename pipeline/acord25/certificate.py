"""The certificate dict's empty shape: every key of the public contract, all unknown."""

from __future__ import annotations

from typing import Any


def empty_certificate() -> dict[str, Any]:
    """Every key of the contract, all unknown."""
    return {
        "form": {"type": None, "edition": None},
        "date": None,
        "certificate_number": None,
        "revision_number": None,
        "producer": {
            "name": None,
            "address": None,
            "contact_name": None,
            "phone": None,
            "fax": None,
            "email": None,
        },
        "insured": {"name": None, "address": None},
        "insurers": [],
        "policies": [],
        "description_of_operations": None,
        "certificate_holder": {"name": None, "address": None},
        "signed": False,
        "evidence": {},
    }
