"""Rotation and the credential history: plain functions over entries (spec 6.2, schema 4).

A rotation puts the entry's credentials at the front of its ``credential_history``
(``replaced_at`` = the new ``rotated_at``) and the new ones in their place. Old
credentials stay there ``vault.history_days`` days, so a bot still running with the
old key can be told apart and the user can undo a mistyped rotation; every save drops
the older ones (``expired``), and the user can purge them at once (``purged``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from vault_app.core.errors import ValidationError
from vault_app.core.exchanges import Catalog
from vault_app.core.model import (
    KeyEntry,
    OldCredentials,
    Verification,
    check_pem_credentials,
    clean_credentials,
    mask_identifier,
    parse_ip_list,
    parse_permissions,
    utcnow,
)
from vault_app.core.schema import MAX_HISTORY_DAYS


def masked_key(old: OldCredentials) -> str:
    """The old API key (or private key) masked to recognise it; never a secret."""
    value = old.credentials.get("apiKey") or old.credentials.get("privateKey") or ""
    return mask_identifier(value) if value else "(no API key)"


def check_history_days(days: int) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_HISTORY_DAYS:
        raise ValidationError(
            f"old credentials can be kept 1 to {MAX_HISTORY_DAYS} days", field="history_days")
    return days


def rotated(entry: KeyEntry, credentials: Mapping[str, str], catalog: Catalog,
            now: datetime | None = None) -> KeyEntry:
    """``entry`` with ``credentials`` as its own and its previous ones in its history.

    The new credentials are checked like a new key's (what the exchange requires);
    the same credentials again are refused: that would be no rotation. The old
    key's verification is dropped: the exchange's answer was about that key, and
    keeping it would vouch for (or accuse) the new one.
    """
    cleaned = clean_credentials(entry.exchange, credentials, catalog) \
        if entry.exchange in catalog else _cleaned_unknown(credentials)
    if cleaned == dict(entry.credentials):
        raise ValidationError("the new credentials are the ones the key already has; "
                              "nothing was rotated", field="credentials")
    check_pem_credentials(cleaned)
    moment = now or utcnow()
    old = OldCredentials(credentials=dict(entry.credentials), replaced_at=moment)
    return replace(entry, credentials=cleaned, rotated_at=moment, updated_at=moment,
                   verification=None, credential_history=(old, *entry.credential_history))


def _cleaned_unknown(credentials: Mapping[str, str]) -> dict[str, str]:
    """Credentials of a key whose exchange left ccxt: trimmed, at least one."""
    cleaned = {name: value.strip() for name, value in credentials.items()
               if isinstance(value, str) and value.strip()}
    if not cleaned:
        raise ValidationError("enter at least one credential", field="credentials")
    return cleaned


def expired(entries: list[KeyEntry], history_days: int, now: datetime) -> list[KeyEntry]:
    """``entries`` without old credentials replaced more than ``history_days`` days
    before ``now``. The very list is returned when none expired (nothing to re-encode)."""
    limit = now - timedelta(days=history_days)
    if not any(old.replaced_at < limit for e in entries for old in e.credential_history):
        return entries
    return [e if not any(old.replaced_at < limit for old in e.credential_history)
            else replace(e, credential_history=tuple(
                old for old in e.credential_history if old.replaced_at >= limit))
            for e in entries]


def purged(entry: KeyEntry) -> KeyEntry:
    """``entry`` without any old credentials (the same object if it had none)."""
    return replace(entry, credential_history=()) if entry.credential_history else entry


def verified(entry: KeyEntry, verification: Verification, *,
             apply_labels: bool = False) -> KeyEntry:
    """``entry`` with ``verification`` recorded; with ``apply_labels`` also its
    permissions and IP whitelist taken from what the exchange said (the IP list only
    when the exchange said "unrestricted" or named the addresses) (its words that
    are not ``read``/``trade``/``withdraw`` are left out; no known one leaves the
    permissions as they are). Applying labels is a change of the key (``updated_at``)."""
    result = replace(entry, verification=verification)
    if not apply_labels:
        return result
    known = [p for p in verification.permissions if p in ("read", "trade", "withdraw")]
    permissions = parse_permissions(known) if known else entry.permissions
    # The IP list follows the exchange only when it gave a definite answer: not
    # restricted (no list), or restricted to the addresses it named. An unknown
    # state (None), or "restricted" without the list, keeps the user's list.
    if verification.ip_restricted is False:
        ips: tuple[str, ...] = ()
    elif verification.ip_restricted and verification.ips:
        ips = parse_ip_list(verification.ips)
    else:
        ips = entry.ip_whitelist
    labelled = replace(result, permissions=permissions, ip_whitelist=ips)
    if (labelled.permissions, labelled.ip_whitelist) != (entry.permissions, entry.ip_whitelist):
        labelled = replace(labelled, updated_at=utcnow())
    return labelled


def kept_on_merge(ours: KeyEntry, result: KeyEntry, now: datetime) -> KeyEntry:
    """``result`` (a backup's version written over the vault's ``ours``) with every
    credential ``ours`` held kept: both histories, plus ``ours``'s current credentials
    when they differ from ``result``'s (``replaced_at`` = ``now``), deduplicated by
    credentials (the result's current ones left out), newest first. A merge never drops
    a key the vault holds: the backup may be newer by date yet hold the key rotated out."""
    current = dict(result.credentials)
    candidates = list(result.credential_history) + list(ours.credential_history)
    if dict(ours.credentials) != current:
        candidates.append(OldCredentials(credentials=dict(ours.credentials), replaced_at=now))
    seen: list[dict[str, str]] = [current]
    history: list[OldCredentials] = []
    for old in sorted(candidates, key=lambda o: o.replaced_at, reverse=True):
        creds = dict(old.credentials)
        if creds in seen:
            continue
        seen.append(creds)
        history.append(old)
    return replace(result, credential_history=tuple(history))
