"""ccxt is not imported until the trading view is first opened, and then only the
exchange of the chosen key: ``ccxt.binance`` and what it needs (``ccxt.base``, its
``ccxt.abstract.binance``), never the ~105 exchanges ``import ccxt`` loads. Checked in
a fresh interpreter, since this pytest process may have ccxt loaded already."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import PASSWORD, REPO
from vault_app.core.model import KeyEntry

PROBE = r"""
import json, sys, time
from pathlib import Path

def ccxt_modules():
    return sorted(name for name in sys.modules if name.split(".")[0] == "ccxt")

from vault_app.gui.qt import QtCore, QtWidgets
from vault_app.gui.settings import Settings
from vault_app.gui.window import MainWindow

app = QtWidgets.QApplication(["vault-app"])
vault_path, settings_path = Path(sys.argv[1]), sys.argv[2]
settings = Settings(QtCore.QSettings(settings_path, QtCore.QSettings.Format.IniFormat))
window = MainWindow(settings, vault_path)
window.show()

def wait_until(condition):
    deadline = time.monotonic() + 60
    while not condition() and time.monotonic() < deadline:
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 50)
    return condition()

window.unlock_page.password.setText(sys.stdin.readline().rstrip("\n"))
window.unlock_page.unlock.click()
report = {"unlocked": wait_until(lambda: window.vault is not None)}
report["after_unlock"] = ccxt_modules()
report["view_built_before"] = window.sections.trading is not None
window.act_show_trading.trigger()
view = window.sections.trading
report["markets"] = wait_until(lambda: view.symbols.chosen is not None)
report["key"] = view.entry.label
report["after_trading"] = ccxt_modules()
window.close()
print(json.dumps(report))
"""


def test_ccxt_is_loaded_only_when_the_trading_view_opens_and_only_binance(
        keys: dict[str, KeyEntry], vault_path: Path, tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")  # HOME/XDG already redirected
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(vault_path), str(tmp_path / "probe.ini")],
        input=f"{PASSWORD}\n", capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["unlocked"] is True, report
    assert report["after_unlock"] == [], report["after_unlock"]
    assert report["view_built_before"] is False
    assert report["markets"] is True, report
    assert report["key"] == "trader"
    loaded = report["after_trading"]
    assert "ccxt.binance" in loaded
    others = [name for name in loaded
              if name not in ("ccxt", "ccxt.base", "ccxt.binance", "ccxt.abstract",
                              "ccxt.abstract.binance")
              and not name.startswith(("ccxt.base.", "ccxt.static_dependencies."))]
    assert others == [], f"more of ccxt than the key's exchange was loaded: {others}"
