"""GUI start-up and memory: `make bench` prints the figures.

- cold start to a visible unlock window (a fresh process each time, median of 7;
  target <= 0.5 s);
- resident memory after unlocking a 1,000-key vault (production KDF), and the
  peak while Argon2 ran.
"""

from __future__ import annotations

import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._util import PASSWORD, report

CHILD_START = """
import sys
from vault_app.gui.app import build_app
from vault_app.gui.qt import QtCore
app, window = build_app(["vault-app", "--vault", sys.argv[1]])
window.show()
def shown():
    assert window.isVisible() and window.stack.currentWidget() is window.unlock_page
    print("shown", "ccxt" in sys.modules, flush=True)
    app.quit()
QtCore.QTimer.singleShot(0, shown)
app.exec()
"""

CHILD_UNLOCK = """
import sys
from vault_app.gui.app import build_app
from vault_app.gui.qt import QtCore
app, window = build_app(["vault-app", "--vault", sys.argv[1]])
window.show()
def rss(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) / 1024
def unlocked():
    print(f"{rss('VmRSS:'):.1f} {rss('VmHWM:'):.1f} {window.model.rowCount()} "
          f"{'ccxt' in sys.modules}", flush=True)
    app.quit()
window.unlocked.connect(lambda: QtCore.QTimer.singleShot(100, unlocked))
window.unlock(window.vault_path, sys.argv[2])
app.exec()
"""


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["XDG_CONFIG_HOME"] = str(tmp / "config")
    env["XDG_DATA_HOME"] = str(tmp / "data")
    return env


def main() -> None:
    from vault_app.core.exchanges import load_catalog
    from vault_app.core.model import new_entry
    from vault_app.core.vault import Vault

    print("GUI")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        path = tmp / "gui.vault"
        vault = Vault.create(path, PASSWORD)
        catalog = load_catalog()
        vault.add_many([
            new_entry(label=f"key {i:04d}", exchange="okx", catalog=catalog,
                      credentials={"apiKey": secrets.token_hex(16),
                                   "secret": secrets.token_hex(32), "password": "p"},
                      permissions="read,trade")
            for i in range(1000)
        ])
        env = _env(tmp)
        times = []
        for _ in range(7):
            start = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-c", CHILD_START, str(path)], env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                    text=True)
            assert proc.stdout is not None
            line = proc.stdout.readline()
            times.append(time.perf_counter() - start)
            proc.wait(30)
            if not line.startswith("shown"):
                raise SystemExit("the GUI did not start")
        report("cold start to a visible unlock window, median of 7",
               statistics.median(times), target=0.5, note=f"(min {min(times) * 1000:.0f} ms)")
        out = subprocess.run([sys.executable, "-c", CHILD_UNLOCK, str(path), PASSWORD],
                             env=env, capture_output=True, text=True, timeout=120, check=True)
        rss, peak, rows, ccxt_loaded = out.stdout.split()
        report("RSS after unlocking 1,000 keys", float(rss), unit="MiB")
        report("peak RSS (Argon2id 256 MiB ran in this process)", float(peak), unit="MiB",
               note=f"({rows} rows shown; ccxt loaded: {ccxt_loaded})")


if __name__ == "__main__":
    main()
