"""Section 6 content rules that the byte-level vectors do not reach.

Check 12 of the spec: a payload that is not JSON matching section 6 is
*damaged*. A crafted or buggy payload must be reported as VaultDamaged by both
ways of decoding, never crash with another exception and never be accepted
only to crash later.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import make_entry
from vault_app.core import schema
from vault_app.core.errors import VaultDamaged

MODES = pytest.mark.parametrize("for_saving", [True, False], ids=["read-write", "read-only"])


def payload(**changes: Any) -> bytes:
    """A one-entry payload in our own layout, with some entry fields replaced."""
    entry = make_entry(label="OKX main", exchange="okx")
    meta = schema.VaultMeta()
    document = json.loads(schema.encode_payload(meta, [entry]))
    document["entries"][0].update(changes)
    return schema.encode_payload(meta, []).replace(
        b'"entries":[', b'"entries":[\n' + json.dumps(document["entries"][0]).encode(), 1)


@MODES
@pytest.mark.parametrize("rotate_days", [1, 3650])
def test_rotate_days_at_the_bounds_decode(rotate_days: int, for_saving: bool) -> None:
    _, entries = schema.decode_payload(payload(rotate_days=rotate_days), for_saving=for_saving)
    assert [entry.rotate_days for entry in entries] == [rotate_days]
    assert entries[0].rotation_due_at > entries[0].rotated_at


@MODES
@pytest.mark.parametrize("rotate_days", [0, 3651, 10**9])
def test_rotate_days_out_of_range_is_damaged(rotate_days: int, for_saving: bool) -> None:
    """Spec 6: rotate_days is 1 to 3650. Accepting 10**9 makes ``rotation_due_at``
    (used by ``vault-app-cli list``) raise OverflowError later."""
    with pytest.raises(VaultDamaged):
        schema.decode_payload(payload(rotate_days=rotate_days), for_saving=for_saving)


@MODES
@pytest.mark.parametrize("changes", [
    {"environment": ["live"]},
    {"environment": {"live": 1}},
    {"permissions": [["read"]]},
    {"permissions": [{"read": True}]},
], ids=["environment-list", "environment-object", "permission-list", "permission-object"])
def test_non_text_enum_values_are_damaged_not_a_crash(changes: dict[str, Any],
                                                      for_saving: bool) -> None:
    with pytest.raises(VaultDamaged):
        schema.decode_payload(payload(**changes), for_saving=for_saving)
