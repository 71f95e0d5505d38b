"""Checking and changing the master password of an unlocked vault."""

from __future__ import annotations

import dataclasses
import hmac
from typing import TYPE_CHECKING

from vault_app.core import crypto
from vault_app.core.envelope import new_key_slot
from vault_app.core.errors import KdfParamsOutOfRange, ValidationError, WrongPassword
from vault_app.core.kdf import KdfParams, derive_kek
from vault_app.core.vault_format import KeySlot
from vault_app.core.version_rekey import PasswordChange

if TYPE_CHECKING:
    from vault_app.core.vault import Vault


def check_password(slot: KeySlot, held: bytes, password: str) -> None:
    """Raise WrongPassword unless ``password`` unwraps, from ``slot``, the data key
    ``held``. One KDF run; the keys are compared in constant time."""
    kek = derive_kek(password, slot.salt, slot.kdf)
    dek = crypto.unwrap_dek(kek, slot.wrapped_dek, slot.wrap_nonce, slot.kdf_header())
    if not hmac.compare_digest(dek, held):
        raise WrongPassword()


def change_password(vault: Vault, old_password: str, new_password: str,
                    kdf: KdfParams | None, *, enforce_kdf_minimum: bool) -> PasswordChange:
    """See ``Vault.change_password``."""
    slot, held = vault._keys()
    if not new_password:
        raise ValidationError("the new master password must not be empty", field="password")
    check_password(slot, held, old_password)
    if kdf is None:  # keep the file's strength unless it is below today's minimum
        kdf = slot.kdf
        try:
            kdf.check_creatable()
        except KdfParamsOutOfRange:
            kdf = KdfParams.default()
    if enforce_kdf_minimum:
        kdf.check_creatable()
    result = vault._commit(lambda entries: entries, new_keys=new_key_slot(new_password, kdf))
    same = hmac.compare_digest(old_password.encode(), new_password.encode())
    return dataclasses.replace(result or PasswordChange(0, []), password_changed=not same)
