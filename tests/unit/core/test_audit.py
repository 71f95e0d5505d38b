"""The audit finds exactly the checklist's conditions, each once, and nothing in a clean vault."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from vault_app.core.audit import at_or_above, audit
from vault_app.core.model import KeyEntry, Verification

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def clean(label: str, api_key: str | None = None, **changes: object) -> KeyEntry:
    """A key that passes every check: read-only, IP-restricted, fresh, used yesterday."""
    entry = KeyEntry(
        id=f"id-{label}", label=label, exchange="binance",
        credentials={"apiKey": api_key or f"key-{label}", "secret": "s"},
        permissions=("read",), ip_whitelist=("203.0.113.7",), environment="live",
        created_at=NOW - timedelta(days=10), rotated_at=NOW - timedelta(days=10),
        updated_at=NOW - timedelta(days=10), last_used_at=NOW - timedelta(days=1),
        rotate_days=90)
    return replace(entry, **changes)  # type: ignore[arg-type]


def codes(entries: list[KeyEntry], score: int | None = 4) -> list[tuple[str, str, str]]:
    return sorted((f.label, f.code, f.severity)
                  for f in audit(entries, now=NOW, password_score=score))


def test_a_clean_vault_has_no_finding() -> None:
    entries = [clean("a"), clean("b", permissions=("read", "trade"),
                                 max_notional=Decimal(100))]
    assert audit(entries, now=NOW, password_score=4) == []
    assert audit([], now=NOW, password_score=None) == []


def test_each_condition_gives_exactly_its_finding() -> None:
    old = NOW - timedelta(days=200)
    entries = [
        clean("withdraw", permissions=("read", "withdraw")),
        clean("open", ip_whitelist=()),
        clean("due", rotated_at=NOW - timedelta(days=100)),
        clean("long-due", rotated_at=NOW - timedelta(days=180)),
        clean("idle", last_used_at=NOW - timedelta(days=91)),
        clean("never", created_at=old, rotated_at=NOW - timedelta(days=5),
              last_used_at=None),
        clean("twin-1", api_key="same"),
        clean("twin-2", api_key="same"),
        clean("trader", permissions=("read", "trade")),
        clean("sandbox-trader", permissions=("read", "trade"), environment="sandbox"),
    ]
    assert codes(entries, score=4) == sorted([
        ("withdraw", "withdraw", "high"),
        ("open", "no-ip-whitelist", "medium"),
        ("due", "rotation-overdue", "medium"),
        ("long-due", "rotation-overdue", "high"),
        ("idle", "unused", "low"),
        ("never", "unused", "low"),
        ("twin-1", "duplicate", "medium"),
        ("twin-2", "duplicate", "medium"),
        ("trader", "no-max-notional", "low"),
    ])


def test_a_key_used_recently_or_new_is_not_unused() -> None:
    assert codes([clean("new", created_at=NOW - timedelta(days=30), last_used_at=None)]) == []
    assert codes([clean("edge", last_used_at=NOW - timedelta(days=90))]) == []


def test_the_exchange_saying_more_than_the_labels_is_high() -> None:
    said_withdraw = Verification(NOW, ("read", "trade", "withdraw"), True, ("203.0.113.7",))
    unrestricted = Verification(NOW, ("read",), False, ())
    agrees = Verification(NOW, ("read",), True, ("203.0.113.7",))
    ips_unknown = Verification(NOW, ("read",), None, ())  # Coinbase: says nothing of IPs
    entries = [clean("understated", verification=said_withdraw),
               clean("ips-unknown", verification=ips_unknown),
               clean("unrestricted", verification=unrestricted),
               clean("agrees", verification=agrees)]
    found = audit(entries, now=NOW, password_score=4)
    assert sorted((f.label, f.code, f.severity) for f in found) == [
        ("understated", "exchange-rights-beyond-labels", "high"),
        ("unrestricted", "exchange-no-ip-restriction", "high"),
    ]
    assert "trade, withdraw" in found[0].risk or "trade, withdraw" in found[1].risk


def test_a_weak_master_password_is_high_and_names_no_key() -> None:
    (finding,) = audit([clean("a")], now=NOW, password_score=2)
    assert (finding.entry_id, finding.code, finding.severity) == (
        None, "weak-master-password", "high")
    assert audit([clean("a")], now=NOW, password_score=3) == []
    assert audit([clean("a")], now=NOW, password_score=None) == []


def test_findings_come_most_severe_first_and_filter_by_threshold() -> None:
    entries = [clean("trader", permissions=("read", "trade")), clean("open", ip_whitelist=()),
               clean("withdraw", permissions=("read", "withdraw"))]
    found = audit(entries, now=NOW, password_score=4)
    assert [f.severity for f in found] == ["high", "medium", "low"]
    assert [f.code for f in at_or_above(found, "medium")] == ["withdraw", "no-ip-whitelist"]
    assert at_or_above(found, "high")[0].label == "withdraw"
    every = found[0]
    assert every.risk and every.fix and every.label == "withdraw"
