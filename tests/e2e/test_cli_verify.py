"""``verify LABEL [--apply]`` against the demo exchange: real ccxt, real HTTP, the CLI a
subprocess. A key labelled read that can trade and withdraw is said loudly, its answer
recorded in the vault; ``--apply`` sets the labels and the IP list from it."""

from __future__ import annotations

import json

from tests.conftest import PASSWORD
from tests.e2e.trading_support import Desk, demo, demo_entry, desk
from vault_app.core.model import KeyEntry
from vault_app.core.vault import Vault

__all__ = ["demo", "desk"]  # fixtures


def _understated(desk: Desk) -> str:
    key = desk.demo.add_key(("read", "trade", "withdraw"), ips=("203.0.113.7",))
    desk.vault.add(demo_entry(desk.demo, "bot", key, ("read",)))
    return "bot"


def _stored(desk: Desk, label: str) -> KeyEntry:
    vault = Vault.open(desk.path, PASSWORD, read_only=True)
    [entry] = [e for e in vault.entries if e.label == label]
    return entry


def test_labels_that_understate_the_key_are_said_loudly_and_recorded(desk: Desk) -> None:
    label = _understated(desk)
    result = desk.cli("verify", label)
    assert result.code == 0, result
    assert "the exchange says read, trade, withdraw; restricted to 203.0.113.7" in result.out
    assert "WARNING: Binance says this key can WITHDRAW funds" in result.out
    assert "can also trade" in result.out
    assert "the exchange restricts the key to 203.0.113.7, which the labels do not list" \
        in result.out
    assert "WARNING: Binance says this key can WITHDRAW" in result.err  # loud on stderr too
    assert "verify bot --apply" in result.out
    entry = _stored(desk, label)
    verification = entry.verification
    assert verification is not None
    assert verification.permissions == ("read", "trade", "withdraw")
    assert verification.ip_restricted and verification.ips == ("203.0.113.7",)
    assert entry.permissions == ("read",)  # labels untouched
    audit = desk.cli("audit", "--json", "--fail-on", "high")
    assert audit.code != 0, audit  # a high finding: scripts gating on the audit stop
    codes = {(f["label"], f["code"], f["severity"]) for f in json.loads(audit.out)}
    assert ("bot", "exchange-rights-beyond-labels", "high") in codes


def test_apply_with_yes_sets_labels_and_ips_from_the_answer(desk: Desk) -> None:
    label = _understated(desk)
    result = desk.cli("verify", label, "--apply", "--yes", "--json")
    assert result.code == 0, result
    said = json.loads(result.out)
    assert said["extra"] == ["trade", "withdraw"] and said["withdraw_unlabelled"]
    assert said["applied"] is True
    entry = _stored(desk, label)
    assert entry.permissions == ("read", "trade", "withdraw")
    assert entry.ip_whitelist == ("203.0.113.7",)


def test_apply_without_a_terminal_or_yes_is_refused_before_any_request(desk: Desk) -> None:
    label = _understated(desk)
    seen = len(desk.demo.requests)
    result = desk.cli("verify", label, "--apply", new_session=True)
    assert result.code == 1, result
    assert "pass --yes" in result.err
    assert len(desk.demo.requests) == seen


def test_a_key_that_matches_its_labels(desk: Desk) -> None:
    result = desk.cli("verify", "watcher")
    assert result.code == 0, result
    assert "The labels match what the exchange says." in result.out
    assert result.err.strip() == "" or "WARNING" not in result.err


def test_a_wrong_secret_exits_7_and_records_nothing(desk: Desk) -> None:
    key = desk.demo.add_key(("read",))
    desk.vault.add(demo_entry(desk.demo, "broken", key, ("read",), secret="0" * 64))
    result = desk.cli("verify", "broken")
    assert result.code == 7, result
    assert "Traceback" not in result.err
    assert _stored(desk, "broken").verification is None


def test_an_exchange_without_the_question_is_refused(desk: Desk) -> None:
    from tests.conftest import make_entry

    desk.vault.add(make_entry("kraken main", "kraken"))
    result = desk.cli("verify", "kraken main")
    assert result.code == 1, result
    assert "not supported for kraken" in result.err
