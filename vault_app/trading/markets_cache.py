"""Markets on disk: public market data per exchange and environment, with a timestamp.

One file per exchange and environment (a custom API URL adds a hash of the URL) in
``<user cache folder>/vault-app/markets/`` (``$VAULT_APP_CACHE_DIR`` moves the cache
folder, for tests). A file is two lines of JSON: a small header (format, ccxt version,
time saved, the sorted symbols), so that listing symbols on start reads a few KB, then
the markets that ``exchange.set_markets`` takes. Nothing about a key: no label, id,
URL or credential, and nothing fetched with one (``public_only``: no fee tier; no
currencies, which some exchanges list only to a signed request).

Writes are atomic (a 0600 temp file in the same 0700 folder, then a rename; a temp
file a killed save left behind is removed by a later save). A read refuses a symbolic
link, a FIFO, a device or a huge file, a file or folder that another user owns or
that others may write (whoever can write it could make a BTC/USDT order go out as
another symbol or precision), a number that is not finite and a market whose id,
symbol, base and quote disagree; anything that is not a cache file of this format
and ccxt version counts as absent: a cache never stops the app. A copy older than
``max_age`` is *stale*: the client refreshes it from the network, and uses a stale
copy only to list symbols when the refresh fails, never to validate an order
(precision and limits may have changed).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import stat
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vault_app import APP_NAME

CACHE_ENV = "VAULT_APP_CACHE_DIR"
FORMAT = 2
"""2: no currencies and no fee tier (format 1 could hold data fetched with a key)."""
DEFAULT_MAX_AGE = 24 * 3600.0
STALE_TEMP_SECONDS = 3600.0
"""A temp file older than this is left over from a killed save (a save takes seconds)."""
MAX_CACHE_FILE = 64 * 1024 * 1024
"""Binance's spot markets are a few MB; a bigger file is not ours."""

_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_NOCTTY | os.O_CLOEXEC


def default_folder() -> Path:
    """``$VAULT_APP_CACHE_DIR/markets`` if set, else the platform's user cache folder."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser() / "markets"
    import platformdirs  # small, but only needed here

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "markets"


def cache_key(exchange: str, environment: str, api_url: str | None = None) -> str:
    """The file name stem: ``binance-live``, ``binance-sandbox``, ``binance-custom-<hash>``."""
    key = f"{exchange}-{environment}"
    if environment == "custom":
        digest = hashlib.sha256((api_url or "").encode("utf-8")).hexdigest()[:16]
        key = f"{key}-{digest}"
    return key


@dataclass(frozen=True)
class CachedSymbols:
    symbols: list[str]
    saved_at: float
    stale: bool


@dataclass(frozen=True)
class CachedMarkets(CachedSymbols):
    markets: dict[str, Any]
    currencies: dict[str, Any] | None


class MarketsCache:
    """A file is two lines of JSON: a header (format, ccxt version, time, symbols), then
    the markets and currencies. Listing symbols parses the header alone."""

    def __init__(self, folder: Path | None = None, *, max_age: float = DEFAULT_MAX_AGE,
                 clock: Callable[[], float] = time.time) -> None:
        self.folder = folder if folder is not None else default_folder()
        self.max_age = max_age
        self._clock = clock

    def path(self, key: str) -> Path:
        if not key or "/" in key or key.startswith(".") or "\0" in key:
            raise ValueError(f"not a cache key: {key!r}")
        return self.folder / f"{key}.json"

    def symbols(self, key: str, ccxt_version: str) -> CachedSymbols | None:
        """The symbols cached under ``key`` (from the header alone), or None."""
        data = self._read(key, first_line=True)
        return None if data is None else self._header(data, ccxt_version)

    def load(self, key: str, ccxt_version: str) -> CachedMarkets | None:
        """The cached markets under ``key``, or None if absent, unreadable or not ours."""
        data = self._read(key)
        if data is None:
            return None
        head, _, body = data.partition(b"\n")
        header = self._header(head, ccxt_version)
        if header is None:
            return None
        try:
            obj = _json(body)
        except (ValueError, RecursionError):
            return None
        if not isinstance(obj, dict):
            return None
        markets, currencies = obj.get("markets"), obj.get("currencies")
        if not isinstance(markets, dict) or not _is_markets(markets) \
                or sorted(markets) != header.symbols \
                or not (currencies is None or _is_table(currencies)):
            return None
        return CachedMarkets(header.symbols, header.saved_at, header.stale, markets, currencies)

    def _read(self, key: str, *, first_line: bool = False) -> bytes | None:
        """The file's bytes if it and its folder are this user's and only theirs to write."""
        path = self.path(key)
        if not _private_folder(self.folder):
            return None
        return _read_regular(path, first_line=first_line)

    def _header(self, data: bytes, ccxt_version: str) -> CachedSymbols | None:
        try:
            obj = _json(data)
        except (ValueError, RecursionError):
            return None
        if not isinstance(obj, dict) or obj.get("format") != FORMAT \
                or obj.get("ccxt_version") != ccxt_version:
            return None
        saved_at, symbols = obj.get("saved_at"), obj.get("symbols")
        if not isinstance(saved_at, int | float) or isinstance(saved_at, bool) \
                or not isinstance(symbols, list) \
                or not all(isinstance(symbol, str) for symbol in symbols):
            return None
        age = self._clock() - saved_at
        stale = not 0 <= age <= self.max_age  # a time in the future is not trusted either
        return CachedSymbols(symbols, float(saved_at), stale)

    def save(self, key: str, ccxt_version: str, markets: Mapping[str, Any],
             currencies: Mapping[str, Any] | None) -> bool:
        """Write the markets under ``key``; False (and nothing written) if that failed."""
        try:
            head = json.dumps({
                "format": FORMAT, "ccxt_version": ccxt_version, "saved_at": self._clock(),
                "symbols": sorted(markets),
            }, separators=(",", ":"), allow_nan=False).encode("utf-8")
            body = _dumps_in_pieces(markets, currencies or None).encode("utf-8")
        except (TypeError, ValueError):  # not plain JSON data: not cached
            return False
        data = head + b"\n" + body  # JSON text never holds a raw newline
        if len(data) > MAX_CACHE_FILE:
            return False
        try:
            self._ensure_folder()
            self._remove_stale_temps(key)
            _write_atomic(self.path(key), data)
        except OSError:
            return False
        return True

    def _remove_stale_temps(self, key: str) -> None:
        """Remove the temp files of ``key`` that a killed save left (old enough that no
        running save can own them)."""
        prefix = f".{self.path(key).name}.tmp-"
        now = self._clock()
        with contextlib.suppress(OSError), os.scandir(self.folder) as entries:
            for item in entries:
                if not item.name.startswith(prefix):
                    continue
                with contextlib.suppress(OSError):
                    info = item.stat(follow_symlinks=False)
                    if stat.S_ISREG(info.st_mode) and now - info.st_mtime > STALE_TEMP_SECONDS:
                        os.unlink(item.path)

    def _ensure_folder(self) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(self.folder)
        if not stat.S_ISDIR(info.st_mode):
            raise NotADirectoryError(str(self.folder))
        if stat.S_IMODE(info.st_mode) != 0o700 and info.st_uid == os.getuid():
            os.chmod(self.folder, 0o700)


_FEE_FIELDS = ("maker", "taker", "percentage", "tierBased", "tiers", "feeSide")


def public_only(markets: Mapping[str, Any]) -> dict[str, Any]:
    """The markets without their fees: some exchanges (coinbase) set them from the key's
    own fee tier; ccxt fills in its public defaults on ``set_markets``."""
    return {symbol: {name: value for name, value in market.items()
                     if name not in _FEE_FIELDS} if isinstance(market, dict) else market
            for symbol, market in markets.items()}


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def _dumps_in_pieces(markets: Mapping[str, Any], currencies: Mapping[str, Any] | None
                     ) -> str:
    """The text of ``json.dumps({"markets": markets, "currencies": currencies})`` (compact,
    no NaN), one market at a time: a single ``json.dumps`` of 2,000 markets holds the
    interpreter 60-75 ms in one C call, during which the UI thread cannot run a line."""
    pieces = [_dumps({symbol: market})[1:-1] for symbol, market in markets.items()]
    return f'{{"markets":{{{",".join(pieces)}}},"currencies":{_dumps(currencies)}}}'


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _json(data: bytes) -> Any:
    """JSON without NaN or infinities (a NaN minimum passes every comparison)."""
    return json.loads(data, parse_constant=_no_constant, parse_float=_finite)


def _is_table(value: object) -> bool:
    return isinstance(value, dict) and all(isinstance(v, dict) for v in value.values())


def _is_market(symbol: str, market: dict[str, Any]) -> bool:
    """A spot market whose symbol, base, quote and id agree (BTC/USDT is BTC and USDT,
    its id names BTC and USDT's ids)."""
    market_id, base, quote = market.get("id"), market.get("base"), market.get("quote")
    base_id, quote_id = market.get("baseId"), market.get("quoteId")
    if not (isinstance(market_id, str) and isinstance(base_id, str) and base_id
            and isinstance(quote_id, str) and quote_id and isinstance(base, str)
            and isinstance(quote, str)):
        return False
    return (market.get("symbol") == symbol == f"{base}/{quote}"
            and market.get("type") == "spot" and market.get("spot") is True
            and base_id.lower() in market_id.lower() and quote_id.lower() in market_id.lower())


def _is_markets(value: object) -> bool:
    if not isinstance(value, dict) or not _is_table(value):
        return False
    ids = [market.get("id") for market in value.values()]
    return len(set(map(str, ids))) == len(ids) and all(
        _is_market(symbol, market) for symbol, market in value.items())


def _private_folder(path: Path) -> bool:
    """Whether ``path`` is a folder (not a link to one) of this user's that nobody else
    may write."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return (stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
            and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def _read_regular(path: Path, *, first_line: bool = False) -> bytes | None:
    """The bytes of a regular file of at most MAX_CACHE_FILE bytes, not behind a link
    (with ``first_line``, only up to its first newline)."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CACHE_FILE \
                or info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_CACHE_FILE:
            chunk = os.read(fd, 256 * 1024 if first_line else 1024 * 1024)
            if not chunk:
                break
            if first_line and b"\n" in chunk:
                chunks.append(chunk[:chunk.index(b"\n")])
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks) if size <= MAX_CACHE_FILE else None
    except OSError:
        return None
    finally:
        os.close(fd)


def _write_atomic(path: Path, data: bytes) -> None:
    temp = path.with_name(f".{path.name}.tmp-{os.urandom(6).hex()}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                 0o600)
    try:
        try:
            os.fchmod(fd, 0o600)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(temp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
