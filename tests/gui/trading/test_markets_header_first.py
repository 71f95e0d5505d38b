"""The symbol list shows from the markets cache's header before the key's markets are
loaded into ccxt (the header is a few KB; the markets of a Binance-sized exchange take
100+ ms to load): a market can be chosen meanwhile, and its ticket says "loading…",
never assessing against markets that are not loaded, until they are in."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.gui.helpers import unlock
from tests.gui.trading.support import TIMEOUT, idle, open_trading
from vault_app.core.model import KeyEntry
from vault_app.gui.window import MainWindow
from vault_app.trading.client import key_lock

LOADING = "loading the exchange's markets…"


def test_the_list_shows_from_the_cache_header_while_the_markets_are_held(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry]) -> None:
    window = trading_window
    open_trading(qtbot, window, "trader")  # from the server: the cache is saved
    window.lock()
    idle(qtbot, window)  # the dropped session's client closed (under the key's lock)
    # The key's lock, held here, holds its markets load (the client builds and loads
    # under it); reading the cache's header needs no client.
    held = key_lock(keys["trader"])
    held.acquire()
    try:
        unlock(qtbot, window)  # the view is built: it offers the keys again
        window.show_trading(keys["trader"].id)
        view = window.sections.trading
        assert view is not None
        picker, ticket = view.symbols, view.ticket
        qtbot.waitUntil(lambda: picker.model.rowCount() == 3, timeout=TIMEOUT)
        assert picker.model.stringList() == ["BTC/USDT", "ETH/BTC", "ETH/USDT"]
        assert view.exchange is None and picker.busy.isVisible()
        assert picker.chosen == "BTC/USDT"
        assert LOADING in ticket.messages["symbol"].text().casefold()
        assert not ticket.review.isEnabled()

        # Chosen while the markets load: the ticket follows, still loading.
        row = picker.model.stringList().index("ETH/USDT")
        picker.list.clicked.emit(picker.proxy.mapFromSource(picker.model.index(row, 0)))
        assert picker.chosen == "ETH/USDT"
        assert ticket.title.text().endswith("ETH/USDT")
        assert view.exchange is None and not ticket.review.isEnabled()
        assert LOADING in ticket.messages["symbol"].text().casefold()
    finally:
        held.release()
    qtbot.waitUntil(lambda: view.exchange is not None, timeout=TIMEOUT)
    idle(qtbot, window)
    assert not picker.busy.isVisible()
    assert picker.chosen == "ETH/USDT" and ticket.title.text().endswith("ETH/USDT")
    assert LOADING not in ticket.messages["symbol"].text().casefold()
    assert ticket.last_price.text() != "—"  # the price of the market chosen meanwhile
