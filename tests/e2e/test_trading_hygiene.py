"""An order command loads only its exchange's ccxt module, and a whole scripted trading
session leaves no secret in any file the app wrote or in its output."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import PASSWORD, REPO
from tests.e2e.support import assert_ok, run_python
from tests.e2e.trading_support import Desk, demo, desk
from vault_app.trading.journal import journal_path

__all__ = ["demo", "desk"]  # fixtures

PROBE = """
import io, json, sys
import vault_app.cli

vault, key = sys.argv[1], sys.argv[2]
out, err = io.StringIO(), io.StringIO()
code = vault_app.cli.main(["--vault", vault, "order", "preview", "--key", key, "--symbol",
                           "BTC/USDT", "--side", "buy", "--type", "limit", "--amount", "0.01",
                           "--price", "50000"],
                          stdin=io.StringIO(sys.stdin.read()), stdout=out, stderr=err)
print(json.dumps({"code": code, "err": err.getvalue(),
                  "modules": sorted(n for n in sys.modules if n.split(".")[0] == "ccxt")}))
"""


def test_an_order_command_loads_only_its_exchanges_module(desk: Desk) -> None:
    proc = run_python(PROBE, str(desk.path), "trader", cwd=REPO, stdin=f"{PASSWORD}\n")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["code"] == 0, result["err"]
    others = [name for name in result["modules"] if not name.startswith("ccxt.base")]
    assert others == ["ccxt", "ccxt.abstract", "ccxt.abstract.binance", "ccxt.binance"]


def files_under(folder: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in folder.rglob("*")
            if path.is_file() and not path.is_symlink()}


def test_a_scripted_session_leaves_no_secret_anywhere(desk: Desk, tmp_path: Path) -> None:
    key = desk.demo.trading_key
    order = ("--symbol", "BTC/USDT", "--side", "buy", "--amount", "0.01")
    results = [
        desk.cli("balance", "--key", "trader"),
        desk.cli("balance", "--key", "trader", "--json"),
        desk.cli("order", "preview", "--key", "trader", *order, "--type", "limit",
                 "--price", "50000"),
        desk.cli("order", "place", "--key", "trader", *order, "--type", "limit",
                 "--price", "50000", "--yes"),
        desk.cli("order", "place", "--key", "trader", *order, "--type", "market", "--yes"),
        desk.cli("order", "list", "--key", "trader"),
        desk.cli("order", "list", "--key", "trader", "--json"),
        desk.cli("order", "list", "--key", "trader", "--open", "--json"),
        desk.cli("show", "trader"),
    ]
    for result in results:
        assert_ok(result)
    listed = json.loads(results[6].out)
    results.append(assert_ok(desk.cli("order", "cancel", "--key", "trader", "--id",
                                      listed[0]["client_order_id"])))
    desk.demo.faults.drop_after_accept = 1
    results.append(desk.cli("order", "place", "--key", "trader", *order, "--type", "market",
                            "--yes"))
    results.append(assert_ok(desk.cli("order", "list", "--key", "trader")))

    output = "".join(r.out + r.err for r in results)
    assert key.secret not in output
    assert key.api_key not in output  # the preview and show mask it
    files = files_under(tmp_path)
    assert journal_path(desk.path) in files
    assert any(".cache" in path.parts for path in files)  # the markets cache was written
    for path, data in files.items():
        for value in (key.secret, key.api_key):
            assert value.encode() not in data, path
    journal = files[journal_path(desk.path)]
    for clear in (b"BTC/USDT", b"BTCUSDT", b"FILLED", b"va-"):
        assert clear not in journal
