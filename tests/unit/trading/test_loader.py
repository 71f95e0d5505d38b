"""The loader imports one ccxt exchange, not 105, and that exchange works as with ``import ccxt``.

Each check runs in a fresh interpreter: what is in ``sys.modules`` is the point.
"""

from __future__ import annotations

import json
import sys

import pytest

from tests.conftest import REPO
from tests.e2e.support import run_python
from vault_app.core.errors import ValidationError
from vault_app.trading.loader import check_exchange_id

# Signs a private Binance and OKX request at a fixed time; prints the requests as JSON.
SIGN = """
import json, sys
mode = sys.argv[1]
if mode == "light":
    from vault_app.trading.loader import exchange_class
    binance, okx = exchange_class("binance"), exchange_class("okx")
else:
    import ccxt
    binance, okx = ccxt.binance, ccxt.okx
out = {}
for cls, params in ((binance, {}), (okx, {"password": "pass-phrase"})):
    exchange = cls({"apiKey": "the-api-key", "secret": "the-secret", **params})
    exchange.milliseconds = lambda: 1_700_000_000_000
    exchange.nonce = lambda: 1_700_000_000_000
    if cls is binance:
        request = exchange.sign("order", ["private"], "POST", {
            "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.01",
            "price": "50000", "timeInForce": "GTC", "newClientOrderId": "x-1"})
    else:
        request = exchange.sign("trade/order", ["private"], "POST", {
            "instId": "BTC-USDT", "tdMode": "cash", "side": "buy", "ordType": "limit",
            "sz": "0.01", "px": "50000", "clOrdId": "x1"})
    out[exchange.id] = request
out["modules"] = sorted(name for name in sys.modules if name.split(".")[0] == "ccxt")
print(json.dumps(out, sort_keys=True))
"""


def _run(code: str, *args: str) -> dict[str, object]:
    proc = run_python(code, *args, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def test_one_exchange_loads_alone() -> None:
    result = _run("""
import json, sys
from vault_app.trading.loader import exchange_class, is_light
cls = exchange_class("binance")
print(json.dumps({"modules": sorted(n for n in sys.modules if n.split(".")[0] == "ccxt"),
                  "name": f"{cls.__module__}.{cls.__name__}", "light": is_light()}))
""")
    modules = result["modules"]
    assert isinstance(modules, list)
    assert result["name"] == "ccxt.binance.binance"
    assert result["light"] is True
    others = [name for name in modules if not name.startswith("ccxt.base")]
    assert others == ["ccxt", "ccxt.abstract", "ccxt.abstract.binance", "ccxt.binance"]
    assert "ccxt.base.exchange" in modules


def test_it_signs_exactly_as_the_full_package_does() -> None:
    light, full = _run(SIGN, "light"), _run(SIGN, "full")
    assert light["binance"] == full["binance"]
    assert light["okx"] == full["okx"]
    binance = light["binance"]
    assert isinstance(binance, dict)
    assert "signature=" in (binance["body"] or "") + binance["url"]
    assert binance["headers"]["X-MBX-APIKEY"] == "the-api-key"
    assert len(full["modules"]) > 200  # type: ignore[arg-type]
    assert [m for m in light["modules"] if not m.startswith("ccxt.base")] == [  # type: ignore[union-attr]
        "ccxt", "ccxt.abstract", "ccxt.abstract.binance", "ccxt.abstract.okx", "ccxt.binance",
        "ccxt.okx"]


def test_the_light_package_offers_what_ccxt_offers() -> None:
    result = _run("""
import json, sys
from vault_app.trading.loader import exchange_class, is_light
binance = exchange_class("binance")
import ccxt
import ccxt.base.errors
checks = {
    "errors": ccxt.NetworkError is ccxt.base.errors.NetworkError,
    "errors_module": ccxt.errors is ccxt.base.errors,
    "exchange": ccxt.Exchange is sys.modules["ccxt.base.exchange"].Exchange,
    "version": ccxt.__version__,
    "same_class": ccxt.binance is binance,
    "from_import": __import__("ccxt").InvalidOrder.__name__,
    "okx_before": "ccxt.okx" in sys.modules,
}
from ccxt import okx
checks["okx"] = okx.__name__ == "okx" and isinstance(okx, type)
checks["dir"] = {"okx", "kraken", "NetworkError", "Exchange"} <= set(dir(ccxt))
checks["light_before_complete"] = is_light()
checks["no_such"] = not hasattr(ccxt, "no_such_thing")
checks["exchanges"] = len(ccxt.exchanges)  # completes the package: a full import ccxt
checks["light_after"] = is_light()
checks["binance_after"] = ccxt.binance is binance
checks["kraken"] = ccxt.kraken.__name__
checks["all"] = "binance" in ccxt.__all__ and "NetworkError" in ccxt.__all__
print(json.dumps(checks))
""")
    assert result == {
        "errors": True, "errors_module": True, "exchange": True,
        "version": result["version"], "same_class": True, "from_import": "InvalidOrder",
        "okx_before": False, "okx": True, "dir": True, "light_before_complete": True,
        "no_such": True,
        "exchanges": result["exchanges"], "light_after": False, "binance_after": True,
        "kraken": "kraken", "all": True,
    }
    from vault_app.core.exchanges import load_catalog
    catalog = load_catalog()
    assert result["version"] == catalog.ccxt_version
    assert result["exchanges"] == len(catalog.exchanges)


def test_a_real_ccxt_already_imported_is_used() -> None:
    result = _run("""
import json
import ccxt
from vault_app.trading.loader import exchange_class, is_light
print(json.dumps({"same": exchange_class("okx") is ccxt.okx, "light": is_light()}))
""")
    assert result == {"same": True, "light": False}


@pytest.mark.parametrize("bad", ["os", "../x", "binance.base", "binance/../../os", "", "_x",
                                 "__init__", "base", "abstract", "async_support", "pro",
                                 "Binance", "bin ance", "bïnance", "sys"])
def test_a_name_that_is_not_an_exchange_is_refused(bad: str) -> None:
    before = set(sys.modules)
    from vault_app.trading.loader import exchange_class
    with pytest.raises(ValidationError):
        exchange_class(bad)
    assert not any(name.startswith("ccxt.") for name in set(sys.modules) - before
                   if name.split(".")[-1] in {bad, "x", "os"})


@pytest.mark.parametrize("bad", [None, 3, b"binance"])
def test_a_non_string_is_refused(bad: object) -> None:
    with pytest.raises(ValidationError):
        check_exchange_id(bad)


def test_a_refused_name_imports_nothing() -> None:
    result = _run("""
import json, sys
from vault_app.core.errors import ValidationError
from vault_app.trading.loader import exchange_class
refused = []
for name in ("os", "../x", "binance.base", "base", "sys"):
    try:
        exchange_class(name)
    except ValidationError:
        refused.append(name)
print(json.dumps({"refused": refused,
                  "ccxt": sorted(n for n in sys.modules if n.split(".")[0] == "ccxt")}))
""")
    assert result == {"refused": ["os", "../x", "binance.base", "base", "sys"], "ccxt": []}


def test_ccxts_async_and_pro_packages_still_import_after_the_light_load() -> None:
    result = _run("""
import json, sys
from vault_app.trading.loader import exchange_class
exchange_class("binance")
import ccxt.async_support
import ccxt.pro
print(json.dumps({"async": ccxt.async_support.binance.__module__,
                  "pro": ccxt.pro.okx.__module__,
                  "version": ccxt.async_support.__version__ == ccxt.__version__}))
""")
    assert result == {"async": "ccxt.async_support.binance", "pro": "ccxt.pro.okx",
                      "version": True}


def test_concurrent_first_loads_agree() -> None:
    result = _run("""
import json, threading
from vault_app.trading.loader import exchange_class
found = []
def load(name):
    found.append((name, exchange_class(name)))
threads = [threading.Thread(target=load, args=(name,))
           for name in ("binance", "okx", "kraken") * 4]
for thread in threads: thread.start()
for thread in threads: thread.join()
import ccxt
print(json.dumps({"same": all(cls is getattr(ccxt, name) for name, cls in found),
                  "count": len(found)}))
""")
    assert result == {"same": True, "count": 12}


def test_a_submodule_imported_first_still_gives_the_class() -> None:
    result = _run("""
import json, sys
from vault_app.trading.loader import exchange_class
exchange_class("binance")
import ccxt.kraken  # binds the module ccxt.kraken to the package attribute
cls = exchange_class("kraken")
print(json.dumps({"class": isinstance(cls, type), "bound": ccxt.kraken is cls}))
""")
    assert result == {"class": True, "bound": True}
