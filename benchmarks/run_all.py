"""Run every benchmark and print its figures. Targets are printed, never asserted."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

BENCHMARKS = ["bench_vault.py", "bench_decoder.py", "bench_gui.py", "bench_journal.py",
              "bench_exchange_load.py", "bench_trading.py", "bench_trading_gui.py",
              "bench_versions.py", "bench_backup.py"]

if __name__ == "__main__":
    for name in BENCHMARKS:
        if (HERE / name).exists():
            runpy.run_path(str(HERE / name), run_name="__main__")
            print()
