"""Save PNGs of every screen into a folder (``make screenshots``).

Drives the real window offscreen against a throwaway vault, and grabs each
screen with QWidget.grab(). The trading screens run against the demo exchange in a
thread of this process (127.0.0.1): a vault of two demo keys and one whose secret the
exchange refuses, two resting orders placed through the core, a limit buy typed into
the ticket. Nothing touches your real vault, settings or markets cache, and no order
of the ticket is sent (the confirmation is shot, then cancelled).
``make screenshots-wm`` (packaging/screenshots_wm.py) shoots real windows under a
window manager instead, which is what a user sees.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SCREENS = ("create", "unlock", "key-list", "key-form", "settings", "locked", "damaged",
           "backup-export", "backup-export-verified", "backup-restore", "backup-merge",
           "backup-merge-confirm", "backup-restored", "backup-replace",
           "settings-vault", "versions", "versions-confirm", "second-folder-notice",
           "password-change", "password-changed", "import", "import-done",
           "trading", "trade-preview", "trade-confirm", "open-orders", "portfolio", "audit",
           "verify-with-exchange", "verify-last-verified")
PASSWORD = "screenshot horse battery staple"


def main(out: Path) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="vault-app-shots-"))
    os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")
    os.environ["XDG_DATA_HOME"] = str(tmp / "data")
    os.environ["VAULT_APP_CACHE_DIR"] = str(tmp / "cache")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    out.mkdir(parents=True, exist_ok=True)

    from vault_app.core.exchanges import load_catalog
    from vault_app.core.kdf import KdfParams
    from vault_app.core.model import new_entry
    from vault_app.core.vault import Vault
    from vault_app.gui.qt import QtCore, QtWidgets
    from vault_app.gui.settings import Settings
    from vault_app.gui.settings_dialog import SettingsDialog
    from vault_app.gui.theme import apply_theme
    from vault_app.gui.window import MainWindow

    app = QtWidgets.QApplication(["vault-app"])
    apply_theme(app, "light")
    settings = Settings(QtCore.QSettings(str(tmp / "settings.ini"),
                                         QtCore.QSettings.Format.IniFormat))

    def settle(ms: int = 50) -> None:
        loop = QtCore.QEventLoop()
        QtCore.QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_until(condition: object, timeout_ms: int = 20_000) -> None:
        waited = 0
        while not condition() and waited < timeout_ms:  # type: ignore[operator]
            settle(20)
            waited += 20

    def shoot(widget: QtWidgets.QWidget, name: str) -> None:
        settle()
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        print(f"saved {path}")

    # create
    window = MainWindow(settings, tmp / "new.vault")
    window.resize(1200, 700)
    window.show()
    window.create_page.password.setText("correct-horse-battery")
    window.create_page.confirm.setText("correct-horse")
    shoot(window, "create")
    window.close()

    # a vault with keys (fast KDF: only the pictures matter here)
    path = tmp / "trading.vault"
    vault = Vault.create(path, PASSWORD, KdfParams(1024, 2, 1), enforce_kdf_minimum=False)
    catalog = load_catalog()
    samples = [
        ("Binance spot bot", "binance", "read,trade", "203.0.113.7", "live", ["bot"]),
        ("OKX grid", "okx", "read,trade", "203.0.113.7, 203.0.113.8", "live", ["bot"]),
        ("Kraken tax export", "kraken", "read", "", "live", ["tax"]),
        ("Bybit testnet", "bybit", "read,trade", "", "sandbox", []),
        ("Gate treasury", "gate", "read,trade,withdraw", "198.51.100.4", "live", []),
        ("Coinbase portfolio", "coinbase", "read", "", "live", ["tracker"]),
    ]
    entries = []
    for label, exchange, perms, ips, env, tags in samples:
        required = catalog.get(exchange).required
        creds = {name: f"{exchange}-{name}-7f3a9c2e41d8b6" for name in required}
        entries.append(new_entry(label=label, exchange=exchange, credentials=creds,
                                 catalog=catalog, permissions=perms, ip_whitelist=ips,
                                 environment=env, tags=tags, notes="Created for the docs."))
    vault.add_many(entries)
    vault.lock()

    window = MainWindow(settings, path)
    window.resize(1200, 700)
    window.show()
    shoot(window, "unlock")
    window.unlock(path, PASSWORD)
    wait_until(lambda: window.vault is not None)
    window.table.selectRow(1)
    window.detail.rows["apiKey"].reveal.setChecked(True)
    shoot(window, "key-list")
    from vault_app.gui.sections import AUDIT

    window.sections.show_section(AUDIT)  # the tab's title counts the high findings
    shoot(window, "audit")
    window.show_keys()

    window.add_key()
    settle()
    form = window.form
    assert form is not None
    form.exchange.setCurrentIndex(form.exchange.findData("okx"))
    form.label.setText("OKX withdrawals")
    form.credential_fields["apiKey"].setText("3f6a2b7c-11aa-4c1e-9b0d-5d2a8e7f9c01")
    form.credential_fields["secret"].setText("A1B2C3D4E5F6")
    form.credential_fields["password"].setText("passphrase")
    form.permission_boxes["withdraw"].setChecked(True)
    form.ips.setText("203.0.113.7")
    settle(300)  # the dialog sizes itself to its content (KeyForm.fit_to_contents)
    shoot(form, "key-form")
    form.reject()

    # Rotate key…: the new credentials, then the reminder; the history in the detail pane
    from vault_app.gui.vault_dialogs import open_rotate

    window.table.selectRow(1)
    settle()
    open_rotate(window)
    rotate = window.vault_dialog
    assert rotate is not None
    for name, field in rotate.fields.items():
        field.setText(f"new-{name}-9b1c4e2a77d0")
    shoot(rotate, "rotate-key")
    rotate.rotate_button.click()
    wait_until(lambda: rotate.done_text is not None)
    shoot(rotate, "rotate-key-done")
    rotate.reject()
    settle()
    shoot(window, "key-history")

    dialog = SettingsDialog(settings, window)
    dialog.show()
    shoot(dialog, "settings")
    dialog.reject()

    window.lock("Locked after 5 minutes without activity.")
    shoot(window, "locked")

    damaged = tmp / "damaged.vault"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    window.show_start_page(damaged)
    window.unlock(damaged, PASSWORD)
    wait_until(lambda: window.damaged_dialog is not None)
    shoot(window.damaged_dialog, "damaged")
    window.damaged_dialog.close()
    window.close()

    from screenshots_backup import backups  # beside this script (sys.path[0])
    from screenshots_import import import_screens
    from screenshots_versions import versions_screens

    versions_screens(tmp, settings, path, PASSWORD, shoot, wait_until)
    backups(tmp, settings, path, PASSWORD, shoot, wait_until)
    import_screens(tmp, settings, path, PASSWORD, shoot, wait_until)
    trading(tmp, settings, shoot, wait_until)
    from screenshots_verify import verify_screens

    verify_screens(tmp, settings, PASSWORD, shoot, wait_until)
    return 0


def demo_trading_vault(path: Path, demo: Any) -> Any:
    """A vault (negligible KDF) on ``demo``: "Demo trader" (read, trade) holding two resting
    orders placed through the core, "Demo watcher" (read) and "Old tracker" (read), a key
    the exchange does not know. Returns the trader's entry; the vault is left locked."""
    from vault_app.core.exchanges import load_catalog
    from vault_app.core.kdf import KdfParams
    from vault_app.core.model import new_entry
    from vault_app.core.vault import Vault
    from vault_app.trading.orders import parse_order
    from vault_app.trading.session import TradingSession

    vault = Vault.create(path, PASSWORD, KdfParams(1024, 2, 1), enforce_kdf_minimum=False)
    catalog = load_catalog()
    keys = [("Demo trader", demo.trading_key.api_key, demo.trading_key.secret, "read,trade"),
            ("Demo watcher", demo.read_key.api_key, demo.read_key.secret, "read"),
            ("Old tracker", "Kq3vRevokedKey" + "0" * 50,  # the exchange no longer knows it
             "revoked-secret-0000000000", "read")]
    entries = [vault.add(new_entry(label=label, exchange="binance", catalog=catalog,
                                   credentials={"apiKey": key, "secret": secret},
                                   permissions=perms, environment="custom",
                                   api_url=demo.url))
               for label, key, secret, perms in keys]
    trader = entries[0]
    session = TradingSession(vault, trader)
    for side, symbol, amount, price in (("buy", "BTC/USDT", "0.002", "55000"),
                                        ("sell", "ETH/USDT", "0.5", "3400")):
        placed = session.place(session.preview(parse_order(trader.id, symbol, side, "limit",
                                                           amount, price)))
        assert placed.problem is None, placed.problem
    session.close()
    vault.lock()
    return trader


def fill_ticket(ticket: Any, price: str = "59500", amount: str = "0.01") -> None:
    """A limit buy typed into the order ticket, key by key as a user types it."""
    from PySide6.QtTest import QTest

    if not ticket.buy.isChecked():
        ticket.buy.click()
    for edit, text in ((ticket.price, price), (ticket.amount, amount)):
        edit.setFocus()
        edit.selectAll()
        QTest.keyClicks(edit, text)


def trading(tmp: Path, settings: Any, shoot: Callable[[Any, str], None],
            wait_until: Callable[..., None]) -> None:
    """The trading view, its two dialogs, the open orders and the portfolio, against the
    demo exchange."""
    from vault_app.gui.trading.review_dialogs import ConfirmDialog, PreviewDialog
    from vault_app.gui.window import MainWindow
    from vault_app.trading.demo_exchange import DemoExchange

    with DemoExchange(seed=1, volatility="0") as demo:
        path = tmp / "demo.vault"
        trader = demo_trading_vault(path, demo)
        window = MainWindow(settings, path)
        window.resize(1200, 760)
        window.show()
        window.unlock(path, PASSWORD)
        wait_until(lambda: window.vault is not None)
        window.show_trading(trader.id)
        view = window.sections.trading_view()
        wait_until(lambda: view.symbols.chosen == "BTC/USDT" and not window.ops.busy
                   and len(view.open_orders.orders()) == 2)
        ticket = view.ticket
        fill_ticket(ticket)
        wait_until(ticket.review.isEnabled)
        shoot(window, "trading")
        shoot(view.tabs, "open-orders")

        ticket.review.click()
        wait_until(lambda: isinstance(window.trading_dialog, PreviewDialog))
        preview = window.trading_dialog
        wait_until(preview.isVisible)
        shoot(preview, "trade-preview")
        preview.accept()
        wait_until(lambda: isinstance(window.trading_dialog, ConfirmDialog))
        confirm = window.trading_dialog
        wait_until(confirm.isVisible)
        shoot(confirm, "trade-confirm")
        confirm.reject()  # nothing is sent

        window.statusBar().clearMessage()  # "Review closed; nothing was sent."
        window.show_portfolio()
        portfolio = window.sections.portfolio_view()
        portfolio.refresh()
        wait_until(lambda: not portfolio.busy and not window.ops.busy)
        shoot(window, "portfolio")
        window.close()


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs/screenshots"))
