"""The *Import…* screens for ``packaging/screenshots.py``: the preview of a CSV export
(one key already stored, so skipped) and the dialog after the import, warning that the
source still holds the secrets. Against a copy of the screenshots' vault."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

CSV = ("label,exchange,apiKey,secret,password,permissions,ip\n"
       "Binance DCA bot,binance,vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zv,NhqPtmdSJYdKjVHjA7PZj4Mg,,"
       "read;trade,203.0.113.7\n"
       "OKX hedging,okx,3f6a2b7c-11aa-4c1e-9b0d-5d2a8e7f9c01,A1B2C3D4E5F6,passphrase,"
       "read;trade,\n"
       "Old spot bot,binance,binance-apiKey-7f3a9c2e41d8b6,binance-secret-7f3a9c2e41d8b6,,"
       "read,\n")


def import_screens(tmp: Path, settings: Any, path: Path, password: str,
                   shoot: Callable[[Any, str], None],
                   wait_until: Callable[[Any], None]) -> None:
    from vault_app.gui.import_dialog import ImportDialog
    from vault_app.gui.window import MainWindow

    folder = tmp / "import shots"
    folder.mkdir()
    copy_path = folder / "keys.vault"
    shutil.copyfile(path, copy_path)
    source = folder / "exchange-keys.csv"
    source.write_text(CSV)
    window = MainWindow(settings, copy_path)
    window.resize(1200, 700)
    window.show()
    window.unlock(copy_path, password)
    wait_until(lambda: window.vault is not None)
    dialog = ImportDialog(window, window.vault)
    window.vault_dialog = dialog
    dialog.show()
    previewed: list[bool] = []
    dialog.previewed.connect(lambda: previewed.append(True))
    dialog.choose_file(str(source))
    wait_until(lambda: previewed)
    shoot(dialog, "import")
    done: list[bool] = []
    dialog.imported.connect(lambda: done.append(True))
    dialog.import_button.click()
    wait_until(lambda: done)
    shoot(dialog, "import-done")
    dialog.reject()
    window.close()
