"""The security audit: the exchanges' checklist for API keys, checked against the vault.

``audit`` is a plain function of the entries, the time and the master password's
zxcvbn score (measured at unlock, held in memory only, never stored); the GUI and
the CLI show its findings. Each finding names the key, the risk and the fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from vault_app.core.model import KeyEntry, identity_credential
from vault_app.core.password_policy import MIN_SCORE

Severity = Literal["high", "medium", "low"]
SEVERITIES: tuple[Severity, ...] = ("high", "medium", "low")
UNUSED_DAYS = 90


@dataclass(frozen=True)
class Finding:
    entry_id: str | None  # None: a finding about the vault itself (the master password)
    label: str  # the key's label, "" for the vault
    code: str
    severity: Severity
    risk: str
    fix: str


def rank(severity: str) -> int:
    """0 for high, 1 for medium, 2 for low (sort order, and ``--fail-on``)."""
    return SEVERITIES.index(severity)


def at_or_above(findings: Iterable[Finding], severity: str) -> list[Finding]:
    return [f for f in findings if rank(f.severity) <= rank(severity)]


def _finding(entry: KeyEntry, code: str, severity: Severity, risk: str, fix: str) -> Finding:
    return Finding(entry.id, entry.label, code, severity, risk, fix)


def _entry_findings(entry: KeyEntry, now: datetime) -> list[Finding]:
    found: list[Finding] = []
    if entry.can_withdraw:
        found.append(_finding(
            entry, "withdraw", "high",
            "this key is labelled with the withdraw permission: whoever steals it can move "
            "the funds out of the account",
            "disable withdrawals on the key at the exchange, then remove the withdraw label"))
    if not entry.ip_whitelist:
        found.append(_finding(
            entry, "no-ip-whitelist", "medium",
            "no IP whitelist: a stolen copy of this key works from any computer",
            "restrict the key to your own IP addresses at the exchange and list them here"))
    age = now - entry.rotated_at
    policy = timedelta(days=entry.rotate_days)
    if age >= policy:
        twice = age >= 2 * policy
        found.append(_finding(
            entry, "rotation-overdue", "high" if twice else "medium",
            f"not rotated for {age.days} days, {'more than twice ' if twice else ''}past its "
            f"rotation policy of {entry.rotate_days} days: the longer a key lives, the more "
            "places it may have leaked to",
            "create a new key at the exchange, rotate it in here, delete the old one"))
    last = entry.last_used_at or entry.created_at
    if now - last > timedelta(days=UNUSED_DAYS):
        when = (f"not used for {(now - last).days} days" if entry.last_used_at
                else f"never used in {(now - last).days} days")
        found.append(_finding(
            entry, "unused", "low",
            f"{when}: a key nobody uses is a key nobody watches",
            "if you no longer need it, delete it at the exchange and remove it from the vault"))
    if entry.environment == "live" and entry.can_trade and entry.max_notional is None:
        found.append(_finding(
            entry, "no-max-notional", "low",
            "a live key that can trade has no maximum order notional: one mistyped order "
            "can spend the whole account",
            "set a maximum order notional on the key"))
    found.extend(_verification_findings(entry))
    return found


def _verification_findings(entry: KeyEntry) -> list[Finding]:
    """What the exchange said of the key when last verified, against its labels."""
    verification = entry.verification
    if verification is None:
        return []
    found: list[Finding] = []
    extra = sorted(set(verification.permissions) - set(entry.permissions))
    if extra:
        found.append(_finding(
            entry, "exchange-rights-beyond-labels", "high",
            f"the exchange says this key can also {', '.join(extra)}, which its labels do "
            "not say: you may be trusting it with more than you think",
            f"remove the {', '.join(extra)} permission on the key at the exchange, "
            "or label it so"))
    if entry.ip_whitelist and verification.ip_restricted is False:
        found.append(_finding(
            entry, "exchange-no-ip-restriction", "high",
            "the entry lists IP addresses but the exchange says the key is not restricted "
            "to any: a stolen copy works from anywhere",
            "set the IP restriction on the key at the exchange"))
    return found


def _duplicates(entries: Sequence[KeyEntry]) -> list[Finding]:
    groups: dict[tuple[str, str, str], list[KeyEntry]] = {}
    for entry in entries:
        identity = identity_credential(entry)
        if identity is not None:
            groups.setdefault((entry.exchange, *identity), []).append(entry)
    found: list[Finding] = []
    for group in groups.values():
        if len(group) < 2:
            continue
        for entry in group:
            others = ", ".join(repr(o.label) for o in group if o is not entry)
            found.append(_finding(
                entry, "duplicate", "medium",
                f"the same API key is also stored as {others}: an edit or rotation of one "
                "leaves a stale copy in the other",
                "keep one entry for this key and remove the others"))
    return found


def audit(entries: Sequence[KeyEntry], *, now: datetime,
          password_score: int | None) -> list[Finding]:
    """Every finding, the most severe first; ``password_score`` None: not measured."""
    found: list[Finding] = []
    if password_score is not None and password_score < MIN_SCORE:
        found.append(Finding(
            None, "", "weak-master-password", "high",
            "the master password is weak: whoever copies the vault file can guess it "
            "offline and read every key",
            "change the master password to a longer, unguessable one"))
    for entry in entries:
        found.extend(_entry_findings(entry, now))
    found.extend(_duplicates(entries))
    order = {entry.id: n for n, entry in enumerate(entries)}
    found.sort(key=lambda f: (rank(f.severity), order.get(f.entry_id or "", -1), f.code))
    return found
