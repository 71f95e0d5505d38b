"""The exchange client: one ccxt instance per key, built right, over real HTTP.

Real ccxt talks to a small Binance-style server in a thread (``stub_exchange``).
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from tests.conftest import REPO, make_entry
from tests.e2e.support import run_python
from tests.unit.trading.stub_exchange import (
    API_KEY,
    SECRET,
    StubExchange,
    binance,
    stub_exchange,
)
from vault_app.core.errors import ValidationError
from vault_app.trading import errors
from vault_app.trading.ccxt_guards import SILENT_LOGGER
from vault_app.trading.client import ExchangeClient
from vault_app.trading.endpoints import is_loopback_url, rebase_url, rebase_urls
from vault_app.trading.markets_cache import MarketsCache


@pytest.fixture
def stub() -> Iterator[StubExchange]:
    with stub_exchange() as server:
        yield server


@pytest.fixture
def cache(tmp_path: Path) -> MarketsCache:
    return MarketsCache(tmp_path / "cache" / "markets")


@pytest.fixture
def client(stub: StubExchange, cache: MarketsCache) -> ExchangeClient:
    return ExchangeClient(binance(stub.url), markets_cache=cache, timeout_ms=5_000)


# --- the instance --------------------------------------------------------------------------


def test_nothing_is_built_before_first_use() -> None:
    client = ExchangeClient(binance())
    assert client._exchange is None
    assert client.describe_endpoint() == "LIVE binance"


def test_the_instance_has_the_keys_credentials_and_safe_settings() -> None:
    exchange = ExchangeClient(binance(), timeout_ms=1234).exchange
    assert (exchange.apiKey, exchange.secret) == (API_KEY, SECRET)
    assert exchange.enableRateLimit is True and exchange.timeout == 1234
    assert exchange.options["maxRetriesOnFailure"] == 0
    assert exchange.options["defaultType"] == "spot"
    assert exchange.options["fetchMarkets"]["types"] == ["spot"]
    assert exchange.options["fetchCurrencies"] is False
    assert exchange.options["fetchMargins"] is False
    assert exchange.verbose is False and exchange.logger is SILENT_LOGGER
    assert exchange.urls["api"]["public"] == "https://api.binance.com/api/v3"


def test_every_credential_ccxt_requires_is_passed() -> None:
    entry = make_entry("OKX", "okx", credentials={"apiKey": "k", "secret": "s", "password": "p"})
    exchange = ExchangeClient(entry).exchange
    assert (exchange.apiKey, exchange.secret, exchange.password) == ("k", "s", "p")
    exchange.check_required_credentials()  # ccxt's own check passes


def test_verbose_and_debug_logging_cannot_be_turned_on(client: ExchangeClient) -> None:
    exchange = client.exchange
    exchange.verbose = True
    exchange.logger = logging.getLogger("ccxt")
    assert exchange.verbose is False and exchange.logger is SILENT_LOGGER
    assert type(exchange).__name__ == "binance"


@pytest.mark.parametrize("where", ["top", "endpoint"])
def test_a_retry_option_set_later_stops_every_call(client: ExchangeClient, stub: StubExchange,
                                                   where: str) -> None:
    options = client.exchange.options
    if where == "top":
        options["maxRetriesOnFailure"] = 3
    else:
        options["account"] = {"maxRetriesOnFailure": 3}
    with pytest.raises(errors.ExchangeProblem, match="nothing was sent"):
        client.call("fetch_balance")
    assert stub.requests == []


def test_a_method_name_must_be_a_public_method(client: ExchangeClient) -> None:
    for name in ("_sign", "secret", "apiKey", "__class__", "fetch balance"):
        with pytest.raises(ValueError, match="not a ccxt method"):
            client.call(name)


def test_a_key_without_a_required_credential_is_refused() -> None:
    entry = make_entry("OKX", "okx", credentials={"apiKey": "k", "secret": "s", "password": "p"})
    object.__setattr__(entry, "credentials", {"apiKey": "k", "secret": "s"})
    with pytest.raises(ValidationError, match="lacks password"):
        ExchangeClient(entry).exchange  # noqa: B018 - building is the point


# --- environments --------------------------------------------------------------------------


def test_sandbox_uses_cxxts_sandbox_urls() -> None:
    client = ExchangeClient(binance(environment="sandbox"))
    assert client.exchange.urls["api"]["public"].startswith("https://testnet.binance.vision")
    assert client.is_live is False
    assert client.describe_endpoint() == "sandbox binance"


def test_a_custom_url_replaces_scheme_and_host_and_keeps_paths() -> None:
    exchange = ExchangeClient(binance("http://127.0.0.1:8080")).exchange
    api = exchange.urls["api"]
    assert api["public"] == "http://127.0.0.1:8080/api/v3"
    assert api["sapi"] == "http://127.0.0.1:8080/sapi/v1"
    assert api["fapiPublic"] == "http://127.0.0.1:8080/fapi/v1"
    assert all(url.startswith("http://127.0.0.1:8080/") for url in api.values()
               if isinstance(url, str))


def test_a_custom_url_with_a_path_puts_it_in_front() -> None:
    exchange = ExchangeClient(binance("https://gateway.example/binance/")).exchange
    assert exchange.urls["api"]["public"] == "https://gateway.example/binance/api/v3"


def test_a_host_template_is_replaced_too() -> None:
    entry = make_entry("OKX", "okx", environment="custom", api_url="http://[::1]:9000")
    exchange = ExchangeClient(entry).exchange
    assert exchange.urls["api"]["rest"] == "http://[::1]:9000"
    request = exchange.sign("public/time", ["public"], "GET", {})
    assert request["url"] == "http://[::1]:9000/api/v5/public/time"


def test_rebase_leaves_non_urls_alone() -> None:
    assert rebase_url("/relative/path", "http://127.0.0.1") == "/relative/path"
    assert rebase_url("https://a.test/x?y=1", "http://b.test:1/p") == "http://b.test:1/p/x?y=1"


@pytest.mark.parametrize(("url", "loopback"), [
    ("http://127.0.0.1:8080", True), ("http://127.3.4.5", True), ("http://[::1]:1", True),
    ("http://localhost:9", True), ("http://LOCALHOST", True), ("https://api.localhost", False),
    ("http://[::ffff:127.0.0.1]", True), ("https://api.binance.com", False),
    ("https://10.0.0.1", False), ("https://192.168.1.2", False), ("https://[::2]", False),
    ("https://localhost.example.com", False), ("https://128.0.0.1", False),
])
def test_live_unless_sandbox_or_loopback(url: str, loopback: bool) -> None:
    assert is_loopback_url(url) is loopback
    assert is_loopback_url(url.replace("https:", "http:")) is loopback
    client = ExchangeClient(binance(url))
    assert client.is_live is (not loopback)
    assert client.describe_endpoint() == (url.rstrip("/") if loopback else f"LIVE {url}")


def test_a_loopback_url_ignores_proxy_settings(client: ExchangeClient, stub: StubExchange,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nothing listens there
    exchange = client.exchange
    assert exchange.session.trust_env is False
    assert exchange.httpProxy is None and exchange.httpsProxy is None
    assert exchange.proxies is None and exchange.proxyUrl is None
    client.call("fetch_balance")
    assert [r.path for r in stub.requests] == ["/api/v3/exchangeInfo", "/api/v3/account"]


# --- calls over HTTP -----------------------------------------------------------------------


def test_a_signed_call_reaches_the_server_signed(client: ExchangeClient,
                                                 stub: StubExchange) -> None:
    balance = client.call("fetch_balance")
    assert balance["USDT"]["free"] == 1000.0
    request = stub.requests[-1]
    assert request.headers["X-MBX-APIKEY"] == API_KEY
    assert "signature" in parse_qs(request.query)


def test_no_secret_is_logged_with_a_debug_root_logger(client: ExchangeClient,
                                                      stub: StubExchange) -> None:
    captured = io.StringIO()
    handler = logging.StreamHandler(captured)
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old_level, ccxt_logger = root.level, logging.getLogger("ccxt")
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    ccxt_logger.setLevel(logging.DEBUG)
    try:
        client.call("fetch_balance")
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        ccxt_logger.setLevel(logging.NOTSET)
    signature = parse_qs(stub.requests[-1].query)["signature"][0]
    logged = captured.getvalue()
    assert "/api/v3/account?***" in logged  # urllib3 logged the request line, without query
    assert API_KEY not in logged and SECRET not in logged and signature not in logged


ECHO = json.dumps({"code": -1100, "msg": f"bad request from {API_KEY} signed {SECRET}"})


@pytest.mark.parametrize(("status", "body", "expected", "fragment"), [
    (400, '{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}',
     errors.AuthFailed, "refused the API key or secret"),
    (400, '{"code":-1022,"msg":"Signature for this request is not valid."}',
     errors.AuthFailed, "refused the API key or secret"),
    (400, '{"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}',
     errors.ClockSkew, "timestamp"),
    (503, "Service Unavailable", errors.ExchangeUnavailable, "unavailable"),
    (429, '{"code":-1003,"msg":"Too many requests."}', errors.RateLimited, "requests"),
    (400, ECHO, errors.ExchangeProblem, "refused the request"),
])
def test_exchange_refusals_become_typed_errors(client: ExchangeClient, stub: StubExchange,
                                               status: int, body: str,
                                               expected: type[errors.TradingError],
                                               fragment: str) -> None:
    stub.answers["/api/v3/account"] = (status, body)
    with pytest.raises(errors.ExchangeProblem) as info:
        client.call("fetch_balance")
    assert type(info.value) is expected
    assert fragment in str(info.value)
    assert info.value.__context__ is None and info.value.__cause__ is None
    printed = "".join(traceback.format_exception(info.value))
    signature = parse_qs(stub.requests[-1].query)["signature"][0]
    for secret in (API_KEY, SECRET, signature, stub.requests[-1].query):
        assert secret not in printed
        assert secret not in repr(info.value)


def test_order_refusals(client: ExchangeClient, stub: StubExchange) -> None:
    client.load_markets()
    stub.answers["/api/v3/order"] = (
        400, '{"code":-2010,"msg":"Account has insufficient balance for requested action."}')
    with pytest.raises(errors.InsufficientFunds):
        client.call("create_order", "BTC/USDT", "limit", "buy", 0.01, 50000)
    stub.answers["/api/v3/order"] = (400, '{"code":-1013,"msg":"Filter failure: NOTIONAL"}')
    with pytest.raises(errors.OrderRejected, match="NOTIONAL"):
        client.call("create_order", "BTC/USDT", "limit", "buy", 0.01, 50000)
    stub.answers["/api/v3/order"] = (400, '{"code":-2011,"msg":"Unknown order sent."}')
    with pytest.raises(errors.OrderNotFound):
        client.call("cancel_order", "123", "BTC/USDT")
    posts = [r for r in stub.requests if r.method == "POST"]
    assert len(posts) == 2  # each refused order was sent once, never again


def test_no_answer_is_a_network_problem(cache: MarketsCache) -> None:
    with stub_exchange() as stub:
        url = stub.url
    client = ExchangeClient(binance(url), markets_cache=cache)  # nothing listens there now
    with pytest.raises(errors.NetworkProblem) as info:
        client.call("fetch_balance")
    # It names the key's API URL (the user's own setting), never ccxt's request URL.
    assert f"{url}/" not in str(info.value) and "timestamp" not in str(info.value)
    assert f"running at {url}?" in str(info.value)


def test_a_slow_answer_is_a_timeout(stub: StubExchange, cache: MarketsCache) -> None:
    release = threading.Event()
    stub.hold = release
    client = ExchangeClient(binance(stub.url), markets_cache=cache, timeout_ms=200)
    try:
        with pytest.raises(errors.ExchangeTimeout, match="did not answer in time"):
            client.call("fetch_balance")
    finally:
        release.set()
    assert len(stub.requests) == 1  # not resent


def test_calls_from_many_threads_run_one_at_a_time(client: ExchangeClient,
                                                   stub: StubExchange) -> None:
    client.exchange.enableRateLimit = False
    client.load_markets()
    stub.requests.clear()
    failures: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(3):
                client.call("fetch_balance")
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(stub.requests) == 18
    assert stub.max_in_flight == 1
    stamps = [int(parse_qs(r.query)["timestamp"][0]) for r in stub.requests]
    assert stamps == sorted(stamps)


def test_sync_clock_signs_with_the_exchanges_time(client: ExchangeClient,
                                                  stub: StubExchange) -> None:
    stub.server_time = int(time.time() * 1000) - 60_000  # this computer is a minute ahead
    offset = client.sync_clock()
    assert 60_000 <= offset < 120_000
    assert client.exchange.options["adjustForTimeDifference"] is True
    client.call("fetch_balance")
    sent = int(parse_qs(stub.requests[-1].query)["timestamp"][0])
    assert sent < int(time.time() * 1000) - 59_000


def test_repr_and_str_hold_no_secret(client: ExchangeClient) -> None:
    client.load_markets()
    for text in (repr(client), str(client), repr(client.exchange), str(client.exchange)):
        assert API_KEY not in text and SECRET not in text
    assert "Binance main" in repr(client)


# --- imports -------------------------------------------------------------------------------


def test_the_client_imports_without_ccxt_and_loads_only_its_exchange() -> None:
    proc = run_python("""
import json, sys
import vault_app.trading.client, vault_app.trading.markets_cache, vault_app.trading.errors
before = sorted(n for n in sys.modules if n.split(".")[0] == "ccxt")
from tests.conftest import make_entry
from vault_app.trading.client import ExchangeClient
client = ExchangeClient(make_entry("b", "binance"))
built = sorted(n for n in sys.modules if n.split(".")[0] == "ccxt")
client.exchange
after = sorted(n for n in sys.modules if n.split(".")[0] == "ccxt"
               and not n.startswith("ccxt.base"))
print(json.dumps({"before": before, "built": built, "after": after}))
""", cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {
        "before": [], "built": [],
        "after": ["ccxt", "ccxt.abstract", "ccxt.abstract.binance", "ccxt.binance"]}


@pytest.mark.parametrize("how", ["params", "keyword"])
def test_a_call_asking_for_retries_is_refused(client: ExchangeClient, stub: StubExchange,
                                              how: str) -> None:
    client.load_markets()
    stub.requests.clear()
    args: tuple[Any, ...] = ("BTC/USDT", "limit", "buy", 0.01, 50000)
    with pytest.raises(errors.ExchangeProblem, match="nothing was sent"):
        if how == "params":
            client.call("create_order", *args, {"maxRetriesOnFailure": 2})
        else:
            client.call("create_order", *args, params={"defaultMaxRetriesOnFailure": 1})
    assert stub.requests == []


def test_requests_adapters_never_resend(client: ExchangeClient, stub: StubExchange) -> None:
    from urllib3.util.retry import Retry

    session = client.exchange.session
    assert all(adapter.max_retries.total == 0 for adapter in session.adapters.values())
    session.adapters["http://"].max_retries = Retry(total=3)
    with pytest.raises(errors.ExchangeProblem, match="nothing was sent"):
        client.call("fetch_balance")
    assert stub.requests == []


def test_ccxts_print_is_silenced(client: ExchangeClient,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    client.exchange.log("fetch Request:", API_KEY)
    assert capsys.readouterr() == ("", "")


def test_rebase_urls_walks_nested_tables() -> None:
    api = {"public": "https://api.x.com/v1", "private": {"spot": "https://api.x.com/v2",
                                                         "doc": "see the manual"},
           "ws": ["wss://stream.x.com"], "count": 3}
    assert rebase_urls(api, "http://127.0.0.1:9") == {
        "public": "http://127.0.0.1:9/v1", "private": {"spot": "http://127.0.0.1:9/v2",
                                                       "doc": "see the manual"},
        "ws": ["http://127.0.0.1:9"], "count": 3}


def test_a_custom_url_leaves_no_exchange_host_in_any_exchange() -> None:
    """Across the catalog: a URL left alone would send a key's requests elsewhere."""
    proc = run_python("""
import json
from tests.conftest import make_entry
from vault_app.core.exchanges import load_catalog
from vault_app.trading.client import ExchangeClient

def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict | list):
        for item in value.values() if isinstance(value, dict) else value:
            yield from strings(item)

left, checked = {}, 0
for info in load_catalog().exchanges.values():
    if not info.required:
        continue
    entry = make_entry(info.id, info.id, environment="custom", api_url="http://127.0.0.1:9/p")
    exchange_urls = ExchangeClient(entry).exchange.urls
    urls = list(strings([exchange_urls["api"], exchange_urls.get("www")]))
    checked += 1
    others = [url for url in urls if "://" in url and not url.startswith("http://127.0.0.1:9/p")]
    if others:
        left[info.id] = others
print(json.dumps({"left": left, "checked": checked}))
""", cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["left"] == {}
    assert result["checked"] > 100
