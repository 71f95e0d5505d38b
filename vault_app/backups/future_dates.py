"""Dates of a backup's entries that lie in the future, and bringing them back to now.

A backup is a file anyone may have written (a merge) or one written on a machine whose
clock was wrong (a restore). An entry whose ``updated_at`` says 9999 would win every
later "keep the newer" against a genuine backup; a ``created_at`` or ``rotated_at`` in
9999 would never show the key as due for rotation. So any of an entry's dates more than
``FUTURE_SLACK`` ahead of the clock is stored as *now*, and the front end says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from vault_app.core.model import KeyEntry
from vault_app.core.plain_text import escape

FUTURE_SLACK = timedelta(days=1)
"""A date further ahead of the clock than this is not trusted."""

DATE_FIELDS = ("created_at", "rotated_at", "updated_at", "last_used_at")


def is_far_ahead(when: datetime | None, now: datetime) -> bool:
    return when is not None and when > now + FUTURE_SLACK


def clamp_dates(entry: KeyEntry, now: datetime) -> KeyEntry:
    """``entry`` with each of its dates more than ``FUTURE_SLACK`` ahead of ``now`` set
    to ``now``; the entry itself when none is."""
    if not any(is_far_ahead(getattr(entry, name), now) for name in DATE_FIELDS):
        return entry

    def clamped(when: datetime) -> datetime:
        return now if is_far_ahead(when, now) else when

    last_used = entry.last_used_at
    return replace(entry, created_at=clamped(entry.created_at),
                   rotated_at=clamped(entry.rotated_at), updated_at=clamped(entry.updated_at),
                   last_used_at=None if last_used is None else clamped(last_used))


def far_ahead(entries: Iterable[KeyEntry], now: datetime) -> list[KeyEntry]:
    """The entries with at least one date ``clamp_dates`` changes."""
    return [entry for entry in entries if clamp_dates(entry, now) is not entry]


def warning(entry: KeyEntry) -> str:
    """The sentence for the user about one such entry (its label escaped)."""
    return (f"the backup's '{escape(entry.label)}' is dated more than a day from now "
            f"({entry.updated_at:%Y-%m-%d}): its dates are not trusted and are stored as "
            "now")
