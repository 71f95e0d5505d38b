"""The GUI entry point turns core dumps off before it creates a window (issue 6, item 3).

Run in a fresh offscreen process: hardening the pytest process itself would
change the limits of every later test. A spy on ``MainWindow.__init__`` prints
the process's state when the first window is built; /proc/<pid>/limits is read
from outside once the event loop runs.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.e2e.support import LineReader, child_env

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")

SPY = """
import ctypes, resource, sys
from vault_app.gui import window
from vault_app.gui.app import main
from vault_app.gui.qt import QtCore

real_init = window.MainWindow.__init__

def spy(self, *args, **kwargs):
    libc = ctypes.CDLL(None, use_errno=True)
    soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    print(f"AT WINDOW dumpable={libc.prctl(3, 0, 0, 0, 0)} core={soft},{hard}", flush=True)
    real_init(self, *args, **kwargs)
    QtCore.QTimer.singleShot(0, lambda: print("RUNNING", flush=True))

window.MainWindow.__init__ = spy
sys.exit(main(["vault-app", "--vault", sys.argv[1]]))
"""


def _raise_core_limit() -> None:
    resource.setrlimit(resource.RLIMIT_CORE,
                       (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


@pytest.mark.skipif(resource.getrlimit(resource.RLIMIT_CORE)[1] != resource.RLIM_INFINITY,
                    reason="hard core limit is not unlimited")
def test_gui_main_hardens_the_process_before_its_first_window(tmp_path: Path) -> None:
    env = child_env(QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    with subprocess.Popen(
        [sys.executable, "-c", SPY, str(tmp_path / "new.vault")], stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True, cwd=tmp_path, env=env,
        preexec_fn=_raise_core_limit,
    ) as proc:
        assert proc.stdout is not None
        out = LineReader(proc.stdout)
        try:
            assert out.next_line(timeout=120) == "AT WINDOW dumpable=0 core=0,0", out.lines
            assert out.next_line(timeout=120) == "RUNNING", out.lines
            limits = Path(f"/proc/{proc.pid}/limits").read_text().splitlines()
            core = next(line for line in limits if line.startswith("Max core file size"))
            assert core.split()[4:6] == ["0", "0"], core
        finally:
            proc.kill()
            proc.wait()
            out.rest(timeout=60)
