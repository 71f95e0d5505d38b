"""Any parameters on any route: one answer that is Binance's JSON, one log entry.

An endpoint that raised on some input used to kill its handler thread: no answer, no
log entry. The server now turns such a bug into ``-1000``, which this test also refuses,
so a crash an endpoint does not foresee still fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.trading.demo_exchange.hand_signed import call
from vault_app.trading.demo_exchange import DemoExchange
from vault_app.trading.demo_exchange.api import ROUTES

NAMES = ["symbol", "symbols", "side", "type", "timeInForce", "quantity", "quoteOrderQty",
         "price", "stopPrice", "newClientOrderId", "orderId", "origClientOrderId", "limit",
         "startTime", "endTime", "fromId", "recvWindow", "newOrderRespType",
         "omitZeroBalances"]
VALUES = ["", "BTCUSDT", "ETHBTC", "btc/usdt", "BUY", "SELL", "LIMIT", "MARKET",
          "STOP_LOSS_LIMIT", "LIMIT_MAKER", "GTC", "IOC", "FOK", "0", "-1", "1", "0.001",
          "1e5", "NaN", "Infinity", "-0", "0.000000001", "9999999999999999999",
          "99999999999999999999.99999999999999999999", "1" * 30, "é", "\x00", "１２",
          '["BTCUSDT"]', '["BTCUSDT","NOPE"]', "[]", "[[[", "null", "30000", "5", "ACK",
          "FULL", "true"]
PARAMETERS = st.lists(st.tuples(st.sampled_from(NAMES),
                                st.one_of(st.sampled_from(VALUES), st.text(max_size=12))),
                      max_size=6, unique_by=lambda pair: pair[0])


@pytest.fixture(scope="module")
def shared_demo() -> Iterator[DemoExchange]:
    with DemoExchange(seed=1) as running:
        yield running


@settings(max_examples=200, deadline=None, database=None)
@given(route=st.sampled_from(sorted(ROUTES)), parameters=PARAMETERS, in_body=st.booleans())
def test_any_parameters_get_one_binance_answer_and_one_log_entry(
        shared_demo: DemoExchange, route: tuple[str, str],
        parameters: list[tuple[str, str]], in_body: bool) -> None:
    method, path = route
    text = "&".join(f"{name}={quote(value)}" for name, value in parameters)
    before = len(shared_demo.requests)
    if in_body and method == "POST":
        status, answer = call(shared_demo, method, path, body=text or "x=1")
    else:
        status, answer = call(shared_demo, method, path, text)
    assert [(r.method, r.path) for r in shared_demo.requests[before:]] == [route]
    if status == 200:
        assert isinstance(answer, (dict, list))
    else:
        assert 400 <= status < 500 and isinstance(answer["code"], int)
        assert answer["code"] != -1000, answer
