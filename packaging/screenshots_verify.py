"""The *Verify with exchange…* screens for ``packaging/screenshots.py``: a key labelled
read whose demo-exchange key can trade and withdraw from one address, the dialog's
answer with its red warning, and the detail pane's "Last verified" afterwards. Against
its own vault and demo exchange; nothing of the user's is touched."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


def verify_screens(tmp: Path, settings: Any, password: str,
                   shoot: Callable[[Any, str], None], wait_until: Callable[..., None]) -> None:
    from vault_app.core.exchanges import load_catalog
    from vault_app.core.kdf import KdfParams
    from vault_app.core.model import new_entry
    from vault_app.core.vault import Vault
    from vault_app.gui.verify_dialog import VerifyDialog
    from vault_app.gui.window import MainWindow
    from vault_app.trading.demo_exchange import DemoExchange

    with DemoExchange(seed=2, volatility="0") as demo:
        path = tmp / "verify.vault"
        vault = Vault.create(path, password, KdfParams(1024, 2, 1), enforce_kdf_minimum=False)
        key = demo.add_key(("read", "trade", "withdraw"), ips=("203.0.113.7",))
        vault.add(new_entry(label="Market maker bot", exchange="binance",
                            catalog=load_catalog(), permissions="read",
                            credentials={"apiKey": key.api_key, "secret": key.secret},
                            environment="custom", api_url=demo.url))
        vault.lock()
        window = MainWindow(settings, path)
        window.resize(1100, 700)
        window.show()
        window.unlock(path, password)
        wait_until(lambda: window.vault is not None)
        window.table.selectRow(0)
        window.act_verify.trigger()
        dialog = window.vault_dialog
        assert isinstance(dialog, VerifyDialog)
        wait_until(lambda: not dialog.busy.isVisible() and not window.ops.busy)
        shoot(dialog, "verify-with-exchange")
        dialog.reject()
        wait_until(lambda: window.vault_dialog is None)
        shoot(window, "verify-last-verified")
        window.close()
