"""The markets cache: public data only, atomic private files, anything odd counts as absent."""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unit.trading.stub_exchange import API_KEY, SECRET, StubExchange, binance, stub_exchange
from vault_app.core.exchanges import load_catalog
from vault_app.trading import errors
from vault_app.trading.client import ExchangeClient
from vault_app.trading.markets_cache import (
    CACHE_ENV,
    FORMAT,
    MAX_CACHE_FILE,
    MarketsCache,
    cache_key,
    default_folder,
)

VERSION = load_catalog().ccxt_version
MARKETS = {"BTC/USDT": {"id": "BTCUSDT", "symbol": "BTC/USDT", "base": "BTC", "quote": "USDT",
                        "baseId": "BTC", "quoteId": "USDT", "type": "spot", "spot": True,
                        "precision": {"amount": 1e-05}}}


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def stub() -> Iterator[StubExchange]:
    with stub_exchange() as server:
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(tmp_path: Path, clock: Clock) -> MarketsCache:
    return MarketsCache(tmp_path / "cache" / "markets", clock=clock)


def _paths(stub: StubExchange) -> list[str]:
    return [request.path for request in stub.requests]


# --- the cache alone -----------------------------------------------------------------------


def test_saved_markets_load_back_fresh(cache: MarketsCache, clock: Clock) -> None:
    assert cache.save("binance-live", VERSION, MARKETS, None)
    loaded = cache.load("binance-live", VERSION)
    assert loaded is not None
    assert (loaded.markets, loaded.currencies, loaded.stale) == (MARKETS, None, False)
    assert loaded.symbols == ["BTC/USDT"]
    clock.now += cache.max_age + 1
    loaded = cache.load("binance-live", VERSION)
    assert loaded is not None and loaded.stale


def test_a_time_in_the_future_is_stale(cache: MarketsCache, clock: Clock) -> None:
    cache.save("k", VERSION, MARKETS, None)
    clock.now -= 3600
    loaded = cache.load("k", VERSION)
    assert loaded is not None and loaded.stale


def test_files_are_private_and_written_atomically(cache: MarketsCache) -> None:
    cache.save("binance-live", VERSION, MARKETS, None)
    cache.save("binance-live", VERSION, MARKETS, None)
    assert stat.S_IMODE(os.stat(cache.folder).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(cache.path("binance-live")).st_mode) == 0o600
    assert sorted(os.listdir(cache.folder)) == ["binance-live.json"]  # no temp file left


def test_an_existing_open_folder_is_closed(tmp_path: Path) -> None:
    folder = tmp_path / "markets"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    MarketsCache(folder).save("k", VERSION, MARKETS, None)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700


def test_another_ccxt_version_is_absent(cache: MarketsCache) -> None:
    cache.save("k", VERSION, MARKETS, None)
    assert cache.load("k", "0.0.1") is None


def _file(header: object = None, body: object = None, **changes: object) -> bytes:
    """A cache file's bytes: a header line and a body line, each JSON unless bytes."""
    if header is None:
        header = {"format": FORMAT, "ccxt_version": VERSION, "saved_at": 1_700_000_000.0,
                  "symbols": ["BTC/USDT"], **changes}
    if body is None:
        body = {"markets": MARKETS, "currencies": None}
    parts = [part if isinstance(part, bytes) else json.dumps(part).encode()
             for part in (header, body)]
    return b"\n".join(parts)


def test_the_file_helper_makes_a_valid_file(cache: MarketsCache) -> None:
    cache.folder.mkdir(mode=0o700, parents=True)
    cache.path("k").write_bytes(_file())
    loaded = cache.load("k", VERSION)
    assert loaded is not None and loaded.markets == MARKETS


@pytest.mark.parametrize("content", [
    b"", b"\x00\xff garbage", b"[]", b"{" * 100_000, _file(header=b"[]"),
    _file(format=1), _file(saved_at="x"), _file(saved_at=True), _file(symbols="BTC/USDT"),
    _file(symbols=[1]), _file(header=b'{"format": 1'),
])
def test_a_damaged_header_is_absent(cache: MarketsCache, content: bytes) -> None:
    cache.folder.mkdir(mode=0o700, parents=True)
    cache.path("k").write_bytes(content)
    assert cache.symbols("k", VERSION) is None
    assert cache.load("k", VERSION) is None


@pytest.mark.parametrize("content", [
    _file(body=b""), _file(body=b"{" * 100_000), _file(body=[]),
    _file(body={"markets": MARKETS, "currencies": None})[:-5],
    _file(symbols=["ETH/USDT"]),
    _file(body={"markets": {"BTC/USDT": {"id": "BTCUSDT", "symbol": "ETH/USDT"}}}),
    _file(body={"markets": {"BTC/USDT": {"symbol": "BTC/USDT"}}}),
    _file(body={"markets": {"BTC/USDT": [1]}}),
    _file(body={"markets": MARKETS, "currencies": [1]}),
    _file(body={"markets": MARKETS, "currencies": {"BTC": 1}}),
])
def test_a_damaged_body_is_absent(cache: MarketsCache, content: bytes) -> None:
    cache.folder.mkdir(mode=0o700, parents=True)
    cache.path("k").write_bytes(content)
    assert cache.load("k", VERSION) is None


def test_symbols_come_from_the_header_alone(cache: MarketsCache) -> None:
    cache.save("k", VERSION, MARKETS, None)
    first_line = cache.path("k").read_bytes().split(b"\n")[0]
    assert b"precision" not in first_line
    listed = cache.symbols("k", VERSION)
    assert listed is not None and listed.symbols == ["BTC/USDT"] and not listed.stale


def test_a_symlink_is_not_followed(cache: MarketsCache, tmp_path: Path) -> None:
    cache.save("real", VERSION, MARKETS, None)
    os.symlink(cache.path("real"), cache.path("link"))
    assert cache.load("link", VERSION) is None


def test_a_fifo_does_not_block(cache: MarketsCache) -> None:
    cache.folder.mkdir(mode=0o700, parents=True)
    os.mkfifo(cache.path("k"))
    result: list[object] = []
    reader = threading.Thread(target=lambda: result.append(cache.load("k", VERSION)))
    reader.start()
    reader.join(30)
    assert result == [None]


def test_a_huge_file_is_not_read(cache: MarketsCache) -> None:
    cache.folder.mkdir(mode=0o700, parents=True)
    with open(cache.path("k"), "wb") as handle:
        handle.truncate(MAX_CACHE_FILE + 1)  # sparse: no disk used
    assert cache.load("k", VERSION) is None


def test_a_folder_that_is_a_symlink_is_not_written(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, tmp_path / "markets")
    assert MarketsCache(tmp_path / "markets").save("k", VERSION, MARKETS, None) is False
    assert list(elsewhere.iterdir()) == []


def test_data_that_is_not_json_is_not_cached(cache: MarketsCache) -> None:
    assert cache.save("k", VERSION, {"X/Y": {"id": "XY", "symbol": "X/Y", "v": object()}},
                      None) is False
    assert cache.save("k", VERSION, {"X/Y": {"id": "XY", "symbol": "X/Y",
                                             "v": float("nan")}}, None) is False
    assert not cache.path("k").exists()


@pytest.mark.parametrize("key", ["", "../x", ".hidden", "a/b", "a\0b"])
def test_a_key_cannot_name_another_path(cache: MarketsCache, key: str) -> None:
    with pytest.raises(ValueError):
        cache.path(key)


def test_keys_per_exchange_environment_and_url() -> None:
    assert cache_key("binance", "live") == "binance-live"
    assert cache_key("binance", "sandbox") == "binance-sandbox"
    one = cache_key("binance", "custom", "http://127.0.0.1:1")
    two = cache_key("binance", "custom", "http://127.0.0.1:2")
    assert one.startswith("binance-custom-") and one != two
    assert "127.0.0.1" not in one


def test_the_folder_is_under_the_user_cache_or_the_override(
        isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CACHE_ENV, raising=False)
    assert default_folder() == isolated_home / ".cache" / "vault-app" / "markets"
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "c"))
    assert default_folder() == tmp_path / "c" / "markets"


# --- through the client --------------------------------------------------------------------


def test_markets_come_from_the_cache_on_a_second_start(stub: StubExchange,
                                                       cache: MarketsCache) -> None:
    first = ExchangeClient(binance(stub.url), markets_cache=cache)
    markets = first.load_markets()
    assert sorted(markets) == ["BTC/USDT", "ETH/USDT"]
    assert _paths(stub) == ["/api/v3/exchangeInfo"]
    second = ExchangeClient(binance(stub.url), markets_cache=cache)
    assert second.cached_symbols() == ["BTC/USDT", "ETH/USDT"]
    again = second.load_markets()
    assert _paths(stub) == ["/api/v3/exchangeInfo"]  # nothing more was asked
    market = again["BTC/USDT"]
    assert market == first.exchange.markets["BTC/USDT"]
    assert second.exchange.amount_to_precision("BTC/USDT", 0.123456789) == "0.12345"
    assert second.exchange.markets_by_id["BTCUSDT"][0]["symbol"] == "BTC/USDT"
    second.load_markets(refresh=True)
    assert _paths(stub) == ["/api/v3/exchangeInfo"] * 2


def test_a_stale_cache_refreshes(stub: StubExchange, cache: MarketsCache, clock: Clock) -> None:
    ExchangeClient(binance(stub.url), markets_cache=cache).load_markets()
    clock.now += cache.max_age + 1
    client = ExchangeClient(binance(stub.url), markets_cache=cache)
    client.load_markets()
    assert _paths(stub) == ["/api/v3/exchangeInfo"] * 2
    assert client.markets_stale is False
    fresh = cache.load(client.cache_key, VERSION)
    assert fresh is not None and not fresh.stale


def test_a_failed_refresh_uses_a_stale_copy_only_when_asked(
        stub: StubExchange, cache: MarketsCache, clock: Clock) -> None:
    ExchangeClient(binance(stub.url), markets_cache=cache).load_markets()
    clock.now += cache.max_age + 1
    stub.answers["/api/v3/exchangeInfo"] = (503, "down")
    client = ExchangeClient(binance(stub.url), markets_cache=cache)
    with pytest.raises(errors.ExchangeUnavailable):
        client.load_markets()
    markets = client.load_markets(allow_stale=True)
    assert sorted(markets) == ["BTC/USDT", "ETH/USDT"]
    assert client.markets_stale is True


def test_environments_do_not_share_a_cache(stub: StubExchange, cache: MarketsCache) -> None:
    ExchangeClient(binance(stub.url), markets_cache=cache).load_markets()
    with stub_exchange() as other:
        ExchangeClient(binance(other.url), markets_cache=cache).load_markets()
        assert _paths(other) == ["/api/v3/exchangeInfo"]
    assert len(os.listdir(cache.folder)) == 2


def test_the_cache_holds_no_key_label_or_id(stub: StubExchange, cache: MarketsCache) -> None:
    entry = binance(stub.url)
    client = ExchangeClient(entry, markets_cache=cache)
    client.load_markets()
    client.call("fetch_balance")
    written = b"".join(path.read_bytes() for path in cache.folder.iterdir())
    assert b"BTCUSDT" in written
    for text in (API_KEY, SECRET, entry.label, entry.id, stub.url):
        assert text.encode() not in written


def test_the_default_cache_lives_in_the_test_home(stub: StubExchange,
                                                  isolated_home: Path) -> None:
    ExchangeClient(binance(stub.url)).load_markets()
    folder = isolated_home / ".cache" / "vault-app" / "markets"
    assert len(list(folder.iterdir())) == 1


# --- a cache someone else could write is not trusted ---------------------------------------


def _lying(**changes: object) -> dict[str, object]:
    return {"BTC/USDT": {**MARKETS["BTC/USDT"], **changes}}


@pytest.mark.parametrize("body", [
    b'{"markets":{"BTC/USDT":{"id":"BTCUSDT","symbol":"BTC/USDT","base":"BTC","quote":"USDT",'
    b'"baseId":"BTC","quoteId":"USDT","type":"spot","spot":true,'
    b'"limits":{"amount":{"min":NaN}}}},"currencies":null}',
    b'{"markets":{"BTC/USDT":{"id":"BTCUSDT","symbol":"BTC/USDT","base":"BTC","quote":"USDT",'
    b'"baseId":"BTC","quoteId":"USDT","type":"spot","spot":true,'
    b'"precision":{"price":1e999}}},"currencies":null}',
    json.dumps({"markets": _lying(id="ETHUSDT")}).encode(),
    json.dumps({"markets": _lying(base="ETH")}).encode(),
    json.dumps({"markets": _lying(type="swap", spot=False)}).encode(),
])
def test_a_market_that_lies_is_absent(cache: MarketsCache, body: bytes) -> None:
    cache.folder.mkdir(mode=0o700, parents=True)
    cache.path("k").write_bytes(_file(body=body))
    assert cache.load("k", VERSION) is None


def test_two_markets_with_one_id_are_absent(cache: MarketsCache) -> None:
    eth = {**MARKETS["BTC/USDT"], "symbol": "ETH/USDT", "base": "ETH", "baseId": "ETH",
           "id": "ETHUSDT"}
    btc = {**MARKETS["BTC/USDT"], "id": "ETHUSDT", "baseId": "T"}
    cache.folder.mkdir(mode=0o700, parents=True)
    cache.path("k").write_bytes(_file(symbols=["BTC/USDT", "ETH/USDT"], body={
        "markets": {"BTC/USDT": btc, "ETH/USDT": eth}, "currencies": None}))
    assert cache.load("k", VERSION) is None


@pytest.mark.parametrize(("target", "mode"), [
    ("file", 0o622), ("file", 0o602), ("folder", 0o770), ("folder", 0o707),
    ("folder", 0o1777)])
def test_a_cache_others_may_write_is_absent(cache: MarketsCache, target: str,
                                            mode: int) -> None:
    cache.save("k", VERSION, MARKETS, None)
    assert cache.load("k", VERSION) is not None
    os.chmod(cache.path("k") if target == "file" else cache.folder, mode)
    assert cache.load("k", VERSION) is None
    assert cache.symbols("k", VERSION) is None


@pytest.mark.skipif(os.getuid() != 0, reason="giving a file away needs root")
@pytest.mark.parametrize("target", ["file", "folder"])
def test_a_cache_another_user_owns_is_absent(cache: MarketsCache, target: str) -> None:
    cache.save("k", VERSION, MARKETS, None)
    os.chown(cache.path("k") if target == "file" else cache.folder, 4321, -1)
    assert cache.load("k", VERSION) is None


def test_a_folder_behind_a_link_is_not_read(cache: MarketsCache, tmp_path: Path) -> None:
    cache.save("k", VERSION, MARKETS, None)
    link = tmp_path / "linked"
    link.symlink_to(cache.folder)
    assert MarketsCache(link).load("k", VERSION) is None


def test_a_killed_saves_temp_files_are_removed(cache: MarketsCache, clock: Clock) -> None:
    cache.save("k", VERSION, MARKETS, None)
    old = cache.folder / ".k.json.tmp-0123456789ab"
    recent = cache.folder / ".k.json.tmp-ba9876543210"
    other = cache.folder / ".j.json.tmp-0123456789ab"
    for path, age in ((old, 7200), (recent, 60), (other, 7200)):
        path.write_bytes(b"partial")
        os.utime(path, (clock.now - age, clock.now - age))
    assert cache.save("k", VERSION, MARKETS, None)
    assert not old.exists()
    assert recent.exists()  # a save running now may own it
    assert other.exists()  # another key's: its own save cleans it


def test_the_cache_keeps_nothing_fetched_with_the_key(stub: StubExchange,
                                                      cache: MarketsCache) -> None:
    """Fees can be the account's tier (coinbase), currencies a signed answer (okx)."""
    client = ExchangeClient(binance(stub.url), markets_cache=cache)
    markets = client.load_markets()
    assert markets["BTC/USDT"]["taker"] is not None
    client.exchange.currencies = {"BTC": {"id": "BTC", "code": "BTC", "info": {"mine": 1}}}
    client.load_markets(refresh=True)
    [path] = cache.folder.iterdir()
    body = json.loads(path.read_bytes().split(b"\n")[1])
    assert body["currencies"] is None
    for market in body["markets"].values():
        assert not {"maker", "taker", "tiers", "percentage", "tierBased"} & set(market)
    again = ExchangeClient(binance(stub.url), markets_cache=cache).load_markets()
    assert again["BTC/USDT"]["taker"] == markets["BTC/USDT"]["taker"]  # ccxt's defaults


def test_the_markets_are_written_one_at_a_time_as_one_json_dumps_would(
        tmp_path: Path) -> None:
    """Written market by market (no long hold of the interpreter), byte for byte the
    text of one ``json.dumps``; a NaN is still refused (nothing written)."""
    markets = {**MARKETS, "ETH/USDT": {**MARKETS["BTC/USDT"], "id": "ETHUSDT",
                                       "symbol": "ETH/USDT", "base": "ETH", "baseId": "ETH",
                                       "note": "é\u2028"}}
    cache = MarketsCache(tmp_path / "m")
    assert cache.save("binance-live", VERSION, markets, {"BTC": {"id": "btc"}})
    body = (tmp_path / "m" / "binance-live.json").read_bytes().partition(b"\n")[2]
    assert body == json.dumps({"markets": markets, "currencies": {"BTC": {"id": "btc"}}},
                              separators=(",", ":"), allow_nan=False).encode()
    loaded = cache.load("binance-live", VERSION)
    assert loaded is not None and loaded.markets == markets
    nan = {"BTC/USDT": {**MARKETS["BTC/USDT"], "precision": {"amount": float("nan")}}}
    assert not cache.save("binance-sandbox", VERSION, nan, None)
    assert not (tmp_path / "m" / "binance-sandbox.json").exists()
