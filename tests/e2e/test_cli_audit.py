"""``vault-app-cli audit``: findings printed and in JSON, the exit code following --fail-on."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, CliResult, make_entry
from tests.e2e.support import assert_no_traceback, assert_ok, assert_usage, folder_state
from vault_app.cli.status_codes import EXIT_AUDIT_FINDINGS
from vault_app.core.kdf import KdfParams
from vault_app.core.model import KeyEntry, Verification, utcnow
from vault_app.core.vault import Vault

Cli = Callable[..., CliResult]
IP = ("203.0.113.7",)


def clean(label: str, **fields: object) -> KeyEntry:
    """IP-restricted and used yesterday: only the given fields can make findings."""
    fields.setdefault("ip_whitelist", IP)
    entry = make_entry(label, "binance", **fields)
    return replace(entry, last_used_at=utcnow() - timedelta(days=1))


@pytest.fixture
def add(new_vault: Callable[..., Vault]) -> Callable[..., None]:
    vault = new_vault(0)

    def add_entry(label: str, **fields: object) -> None:
        vault.add(clean(label, **fields))

    return add_entry


def audit(cli: Cli, *args: str) -> CliResult:
    result = cli("audit", *args, stdin=PASSWORD + "\n")
    assert_no_traceback(result)
    return result


def test_a_clean_vault_passes_at_every_threshold(cli: Cli, add: Callable[..., None]) -> None:
    add("spot", permissions="read,trade", max_notional=Decimal(100))
    for level in ("high", "medium", "low", "never"):
        assert "No findings" in assert_ok(audit(cli, "--fail-on", level)).out
    assert json.loads(assert_ok(audit(cli, "--json")).out) == []


def test_the_exit_code_follows_fail_on(cli: Cli, add: Callable[..., None],
                                       vault_path: Path) -> None:
    add("bot", permissions="read,trade")  # low: a live trading key without a limit
    assert audit(cli).code == 0  # default: high
    assert audit(cli, "--fail-on", "medium").code == 0
    low = audit(cli, "--fail-on", "low")
    assert low.code == EXIT_AUDIT_FINDINGS == 8
    assert "LOW" in low.out and "'bot'" in low.out and "fix:" in low.out
    add("payout", permissions="read,withdraw")
    assert audit(cli).code == EXIT_AUDIT_FINDINGS
    assert audit(cli, "--fail-on", "never").code == 0
    after = folder_state(vault_path.parent)
    audit(cli, "--fail-on", "low")
    assert folder_state(vault_path.parent) == after  # an audit writes nothing


def test_json_lists_each_finding_with_key_risk_and_fix(cli: Cli,
                                                       add: Callable[..., None]) -> None:
    add("payout", permissions="read,withdraw")
    add("open", ip_whitelist=())
    add("bot", permissions="read,trade")  # low: below the threshold, listed all the same
    result = audit(cli, "--json", "--fail-on", "medium")
    assert result.code == EXIT_AUDIT_FINDINGS
    assert audit(cli, "--json", "--fail-on", "never").code == 0
    found = json.loads(result.out)
    assert [(f["label"], f["code"], f["severity"]) for f in found] == [
        ("payout", "withdraw", "high"), ("open", "no-ip-whitelist", "medium"),
        ("bot", "no-max-notional", "low")]
    assert found[0]["risk"] and found[0]["fix"] and found[0]["entry_id"]


def test_a_label_with_terminal_controls_is_escaped(cli: Cli, vault_path: Path,
                                                  fast_kdf: KdfParams) -> None:
    # Front ends refuse such a label; a file written by another program may hold one.
    entry = replace(clean("x", permissions="read,withdraw"), label="evil\x1b[2Jname")
    Vault.create(vault_path, PASSWORD, fast_kdf, enforce_kdf_minimum=False, entries=[entry])
    out = audit(cli).out
    assert "\x1b" not in out and "evil" in out


def test_a_weak_master_password_is_a_high_finding(cli: Cli, vault_path: Path,
                                                  fast_kdf: KdfParams) -> None:
    Vault.create(vault_path, "password1234", fast_kdf, enforce_kdf_minimum=False)
    result = cli("audit", "--json", stdin="password1234\n")
    assert result.code == EXIT_AUDIT_FINDINGS
    assert [f["code"] for f in json.loads(result.out)] == ["weak-master-password"]


def test_a_bad_threshold_is_a_usage_error(cli: Cli, add: Callable[..., None]) -> None:
    assert_usage(audit(cli, "--fail-on", "critical"), "--fail-on")


def test_what_the_exchange_said_beyond_the_labels_is_high(cli: Cli, vault_path: Path,
                                                          fast_kdf: KdfParams) -> None:
    said = Verification(at=utcnow(), permissions=("read", "withdraw"), ip_restricted=True,
                        ips=IP)
    entry = replace(clean("understated"), verification=said)  # stored, then read back
    Vault.create(vault_path, PASSWORD, fast_kdf, enforce_kdf_minimum=False, entries=[entry])
    result = audit(cli, "--json")
    assert result.code == EXIT_AUDIT_FINDINGS
    found = json.loads(result.out)
    assert [(f["label"], f["code"]) for f in found] == [
        ("understated", "exchange-rights-beyond-labels")]
    assert "withdraw" in found[0]["risk"]
