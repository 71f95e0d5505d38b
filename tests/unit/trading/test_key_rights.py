"""What exchanges say of a key's rights: recorded answers parsed, labels compared, and
the demo exchange asked over real HTTP with real ccxt."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_entry
from vault_app.trading import errors
from vault_app.trading.client import ExchangeClient
from vault_app.trading.demo_exchange import DemoExchange, DemoKey
from vault_app.trading.key_rights import (
    Rights,
    RightsAnswerUnclear,
    RightsNotSupported,
    compare,
    fetch_rights,
    parse_binance,
    parse_bybit,
    parse_coinbase,
    parse_okx,
)
from vault_app.trading.markets_cache import MarketsCache

FIXTURES = Path(__file__).parent / "fixtures" / "key_rights"


def recorded(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


# --- recorded answers (the exchanges' documented examples) -----------------------------

def test_binance_read_only_key() -> None:
    assert parse_binance(recorded("binance")) == Rights(("read",), False, ())


def test_binance_withdrawing_key_restricted_to_two_addresses() -> None:
    rights = parse_binance(recorded("binance_restricted"), recorded("binance_ip_restriction"))
    assert rights == Rights(("read", "trade", "withdraw"), True, ("69.210.67.14", "8.34.21.10"))


def test_binance_restricted_without_the_list_says_restricted() -> None:
    assert parse_binance(recorded("binance_restricted")).ips == ()
    assert parse_binance(recorded("binance_restricted")).ip_restricted


def test_binance_futures_or_a_transfer_counts_as_trade_and_withdraw() -> None:
    answer = dict(recorded("binance"), enableFutures=True, permitsUniversalTransfer=True)
    assert parse_binance(answer).permissions == ("read", "trade", "withdraw")


def test_okx_full_rights_no_ip() -> None:
    assert parse_okx(recorded("okx")) == Rights(("read", "trade", "withdraw"), False, ())


def test_okx_read_only_with_ips() -> None:
    assert parse_okx(recorded("okx_read_ip")) == Rights(("read",), True,
                                                       ("1.1.1.1", "2.2.2.0/24"))


def test_bybit_trading_key_with_transfers_and_any_address() -> None:
    # Wallet: AccountTransfer moves funds out of this account: counted as withdraw.
    assert parse_bybit(recorded("bybit")) == Rights(("read", "trade", "withdraw"), False, ())


def test_bybit_read_only_key_with_an_address() -> None:
    assert parse_bybit(recorded("bybit_read_only")) == Rights(("read",), True,
                                                              ("203.0.113.7",))


def test_bybit_read_only_flag_wins_over_listed_permissions() -> None:
    answer = recorded("bybit")
    answer["result"]["readOnly"] = 1
    assert parse_bybit(answer).permissions == ("read",)


def test_coinbase_view_and_trade() -> None:
    # Coinbase's answer says nothing of IPs: unknown (None), not "unrestricted".
    assert parse_coinbase(recorded("coinbase")) == Rights(("read", "trade"), None, ())
    assert parse_coinbase(dict(recorded("coinbase"), can_transfer=True)).permissions == (
        "read", "trade", "withdraw")


@pytest.mark.parametrize("parse, answer", [
    (parse_binance, []), (parse_binance, {"ipRestrict": False}),
    (parse_okx, {"code": "0", "data": []}), (parse_okx, "garbage"),
    (parse_bybit, {"retCode": 0, "result": {}}), (parse_coinbase, {"portfolio_uuid": "x"}),
])
def test_an_answer_of_another_shape_is_a_typed_error(parse: Any, answer: Any) -> None:
    with pytest.raises(RightsAnswerUnclear) as caught:
        parse(answer)
    assert caught.value.outcome_unknown  # a NetworkProblem: front ends show it as such


# --- compare -----------------------------------------------------------------------------

def test_a_key_that_can_withdraw_unlabelled_is_the_loud_case() -> None:
    entry = make_entry("k", "binance", permissions=("read",))
    diff = compare(entry, Rights(("read", "trade", "withdraw"), False))
    assert diff.extra == ("trade", "withdraw")
    assert diff.withdraw_unlabelled and diff.more_than_labels and not diff.matches
    said = diff.sentences("Binance")
    assert said[0].startswith("WARNING: Binance says this key can WITHDRAW")
    assert "can also trade" in said[1]


def test_labels_that_overstate_are_missing_not_extra() -> None:
    entry = make_entry("k", "binance", permissions=("read", "trade"))
    diff = compare(entry, Rights(("read",), False))
    assert diff.extra == () and diff.missing == ("trade",)
    assert not diff.withdraw_unlabelled and not diff.more_than_labels


def test_ip_restrictions_compared() -> None:
    listed = make_entry("k", "binance", ip_whitelist=("1.2.3.4",))
    bare = make_entry("k", "binance")
    assert "any address" in compare(listed, Rights(("read",), False)).ip_mismatch
    assert "do not list" in compare(bare, Rights(("read",), True)).ip_mismatch
    assert "5.6.7.8" in compare(listed, Rights(("read",), True, ("5.6.7.8",))).ip_mismatch
    assert compare(listed, Rights(("read",), True, ("1.2.3.4",))).matches
    assert compare(listed, Rights(("read",), True)).matches  # no list given: cannot tell


# --- against the demo exchange -------------------------------------------------------------

@pytest.fixture
def demo() -> Iterator[DemoExchange]:
    with DemoExchange(seed=1) as running:
        yield running


def _client(demo: DemoExchange, key: DemoKey, tmp_path: Path,
            permissions: tuple[str, ...] = ("read",)) -> ExchangeClient:
    entry = make_entry("demo", "binance", environment="custom", api_url=demo.url,
                       permissions=permissions,
                       credentials={"apiKey": key.api_key, "secret": key.secret})
    return ExchangeClient(entry, markets_cache=MarketsCache(tmp_path / "m"), timeout_ms=5_000)


def test_the_demo_exchange_tells_a_key_its_real_rights(demo: DemoExchange,
                                                       tmp_path: Path) -> None:
    key = demo.add_key(("read", "trade", "withdraw"), ips=("203.0.113.7", "198.51.100.0/24"))
    client = _client(demo, key, tmp_path)
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    verification = fetch_rights(client, now=now)
    client.close()
    assert verification.at == now
    assert verification.permissions == ("read", "trade", "withdraw")
    assert verification.ip_restricted
    assert verification.ips == ("203.0.113.7", "198.51.100.0/24")
    diff = compare(client.entry, verification)
    assert diff.withdraw_unlabelled
    paths = [r.path for r in demo.requests]
    assert paths == ["/sapi/v1/account/apiRestrictions",
                     "/sapi/v1/account/apiRestrictions/ipRestriction"]


def test_an_unrestricted_key_costs_one_request(demo: DemoExchange, tmp_path: Path) -> None:
    client = _client(demo, demo.read_key, tmp_path)
    assert fetch_rights(client).permissions == ("read",)
    client.close()
    assert [r.path for r in demo.requests] == ["/sapi/v1/account/apiRestrictions"]


def test_a_wrong_secret_is_auth_failed(demo: DemoExchange, tmp_path: Path) -> None:
    wrong = DemoKey(demo.read_key.api_key, "x" * 64)
    client = _client(demo, wrong, tmp_path)
    with pytest.raises(errors.AuthFailed):
        fetch_rights(client)
    client.close()


def test_an_exchange_without_the_question_sends_nothing(tmp_path: Path) -> None:
    entry = make_entry("k", "kraken")
    client = ExchangeClient(entry, markets_cache=MarketsCache(tmp_path / "m"))
    with pytest.raises(RightsNotSupported, match="not supported for kraken"):
        fetch_rights(client)


def test_an_unknown_ip_state_is_no_ip_mismatch_and_apply_keeps_the_list() -> None:
    """Coinbase says nothing of IPs; Binance may say "restricted" without the list.
    Neither is a mismatch with the labels' list, nor a reason to replace it."""
    from vault_app.core.credential_history import verified
    from vault_app.core.model import Verification
    from vault_app.trading.key_rights import ips_known

    entry = make_entry("cb", "coinbase", ip_whitelist=("1.2.3.4",), permissions=("read",))
    unknown = parse_coinbase({"can_view": True, "can_trade": False, "can_transfer": False})
    assert compare(entry, unknown).ip_mismatch == "" and not ips_known(unknown)
    now = datetime(2026, 5, 1, tzinfo=UTC)
    said = Verification(now, ("read", "trade"), None, ())
    applied = verified(entry, said, apply_labels=True)
    assert applied.ip_whitelist == ("1.2.3.4",) and applied.permissions == ("read", "trade")
    listless = Verification(now, ("read",), True, ())
    assert verified(entry, listless, apply_labels=True).ip_whitelist == ("1.2.3.4",)
    named = Verification(now, ("read",), True, ("5.6.7.8",))
    assert verified(entry, named, apply_labels=True).ip_whitelist == ("5.6.7.8",)
    assert verified(entry, Verification(now, ("read",), False, ()),
                    apply_labels=True).ip_whitelist == ()
