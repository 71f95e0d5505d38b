"""Fewer objects for the garbage collector's full passes to walk.

A full (generation 2) collection walks every tracked object of the process; with the
window, Qt's wrappers and a ccxt exchange module loaded that is 50,000+ objects, and
loading a Binance-sized exchange's markets (100,000+ new dicts and lists) triggers
such passes: each held the interpreter, so the UI thread too, for 30-40 ms. What
exists once the app has started (and once an exchange's module is imported: classes,
functions, tables) lives until the process ends, so ``gc.freeze()`` moves it out of
the collector's sight; later collections walk only what came after.

The cost: an object frozen here that later becomes part of unreachable cyclic garbage
is never collected (objects without cycles are still freed when their last reference
goes). So it runs only at these few moments, once each, not on every load.
"""

from __future__ import annotations

import gc
import threading

_frozen: set[str] = set()
_lock = threading.Lock()


def freeze_once(moment: str) -> bool:
    """``gc.freeze()`` the first time ``moment`` (e.g. "started", "exchange:binance")
    is reached in this process; False if it was reached before."""
    with _lock:
        if moment in _frozen:
            return False
        _frozen.add(moment)
    if threading.current_thread() is threading.main_thread():
        gc.collect()  # what is garbage now is not frozen (a few ms, once); never in a
        # worker: collecting Qt's objects there can deadlock (``ui_thread_gc``)
    gc.freeze()
    return True
