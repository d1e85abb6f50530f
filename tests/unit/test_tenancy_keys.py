"""Upload keys are the tenancy boundary of the S3 door (inbox/door.py): the key a token is handed
lies in its own account's area whatever the file is called, and the hook reads an account only
from a key of exactly that shape. Pure: no storage, no database."""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from inbox.door import _UPLOAD_KEY, upload_key

KEYS = settings(max_examples=300, deadline=None, derandomize=True, database=None)
HOSTILE = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(["..", ".", "", "alpha", "uploads", "%2F", "\\", "x.pdf", "\x00", "/"]), max_size=8)
    .map("/".join),
)


@KEYS
@given(HOSTILE, st.sampled_from(["application/pdf", "image/png", "image/jpeg", "image/tiff", ""]))
def test_given_any_filename_then_the_upload_key_stays_in_the_accounts_own_area(filename, content_type):
    ref = uuid.uuid4().hex
    key = upload_key("bravo", ref, filename, content_type)
    match = _UPLOAD_KEY.match(key)
    assert match is not None, key
    assert (match["slug"], match["ref"]) == ("bravo", ref)
    assert key.startswith(f"uploads/bravo/{ref}/") and key.count("/") == 3
    assert match["name"] not in {".", ".."}


def test_given_crafted_keys_then_the_hook_pattern_names_no_other_account():
    ref = uuid.uuid4().hex
    crafted = [f"uploads/bravo/../alpha/{ref}/x.pdf", f"uploads/bravo/{ref}/../../alpha/{ref}/x.pdf",
               f"uploads/./alpha/{ref}/x.pdf", f"uploads//alpha/{ref}/x.pdf", f"uploads/ALPHA/{ref}/x.pdf",
               f"uploads/alpha%2F{ref}/x.pdf", f"uploads/alpha/{ref}/sub/x.pdf", f"uploads/alpha/{ref[:-1]}/x.pdf",
               f"/uploads/alpha/{ref}/x.pdf", f"accounts/alpha/documents/{ref}/x.pdf",
               f"uploads/bravo/{ref}/..", f"uploads/bravo/{ref}/."]  # a name that is a directory step
    assert [k for k in crafted if _UPLOAD_KEY.match(k)] == []
    assert _UPLOAD_KEY.match(f"uploads/bravo/{ref}/x.pdf")["slug"] == "bravo"  # the control
