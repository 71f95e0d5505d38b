"""ccxt (a large package) is not loaded by the GUI at start-up, on unlock, or by the
key form: the form works from the bundled exchange catalog. Checked in a fresh
interpreter, since the pytest process must never import ccxt itself."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.conftest import PASSWORD, REPO
from vault_app.core.vault import Vault

PROBE = r"""
import json, sys
from pathlib import Path

def ccxt_modules():
    return sorted(name for name in sys.modules if name.split(".")[0] == "ccxt")

report = {"before_qt": ccxt_modules()}
from vault_app.gui.qt import QtCore, QtWidgets
from vault_app.gui.settings import Settings
from vault_app.gui.window import MainWindow

app = QtWidgets.QApplication(["vault-app"])
vault_path, settings_path = Path(sys.argv[1]), sys.argv[2]
settings = Settings(QtCore.QSettings(settings_path, QtCore.QSettings.Format.IniFormat))
window = MainWindow(settings, vault_path)
window.show()
app.processEvents()
report["after_start"] = ccxt_modules()

def wait_for(signal):
    loop = QtCore.QEventLoop()
    signal.connect(loop.quit)
    QtCore.QTimer.singleShot(30_000, loop.quit)
    loop.exec()

window.unlock_page.password.setText(sys.stdin.readline().rstrip("\n"))
window.unlock_page.unlock.click()
wait_for(window.unlocked)
report["unlocked"] = window.vault is not None
window.table.selectRow(0)
report["detail_rows"] = sorted(window.detail.rows)
report["after_unlock"] = ccxt_modules()

window.act_add.trigger()
form = window.form
form.exchange.setCurrentIndex(form.exchange.findData("okx"))
report["form_fields"] = list(form.credential_fields)
app.processEvents()
report["after_form"] = ccxt_modules()
form.reject()
window.close()
print(json.dumps(report))
"""


def test_ccxt_is_not_imported_at_startup_unlock_or_by_the_key_form(
        new_vault: Callable[..., Vault], vault_path: Path, tmp_path: Path) -> None:
    assert importlib.util.find_spec("ccxt") is not None, "ccxt is installed: the check means"
    new_vault(1).lock()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")  # HOME/XDG already redirected
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(vault_path), str(tmp_path / "probe.ini")],
        input=f"{PASSWORD}\n", capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["unlocked"] is True, report
    assert report["detail_rows"] == ["apiKey", "secret"]
    assert report["form_fields"] == ["apiKey", "secret", "password"]
    for stage in ("before_qt", "after_start", "after_unlock", "after_form"):
        assert report[stage] == [], f"ccxt loaded by the GUI ({stage}): {report[stage]}"
