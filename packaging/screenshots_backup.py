"""The backup dialogs for ``packaging/screenshots.py``: export (choosing keys and a
separate password, then verified), restore, the merge plan with its conflicts, and
the summary asked before merging. Against a copy of the screenshots' vault changed
on both sides, exported through the core; nothing is merged (the summary is shot,
then cancelled)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BACKUP_PASSWORD = "a separate passphrase for the usb stick"


def diverged_backup(path: Path, password: str, tmp: Path) -> Path:
    """A backup of a copy of ``path``: one key changed there (newer), one changed there
    then here (newer here), a label both have for different keys, one key only there."""
    from vault_app.backups.export import export_backup
    from vault_app.core.exchanges import load_catalog
    from vault_app.core.model import new_entry
    from vault_app.core.vault import Vault

    catalog = load_catalog()

    def entry(label: str, exchange: str) -> Any:
        creds = {name: f"{exchange}-{name}-5b8e0d2c71f4a9" for name in
                 catalog.get(exchange).required}
        return new_entry(label=label, exchange=exchange, credentials=creds, catalog=catalog)

    def edit(vault: Any, changes: dict[str, dict[str, Any]], new: list[Any]) -> None:
        """Label -> fields (``updated_at`` among them), and ``new`` entries, in one save."""
        vault.transform(lambda entries: [replace(e, **changes[e.label]) if e.label in changes
                                         else e for e in entries] + new)

    now = datetime.now(UTC).replace(second=0, microsecond=0)
    source = Vault.open(path, password)
    copy = source.save_copy(tmp / "backup source.vault")
    ago = lambda hours: now - timedelta(hours=hours)  # noqa: E731
    edit(copy, {"Binance spot bot": {"notes": "IP changed on the exchange",
                                     "updated_at": ago(26)},
                "OKX grid": {"notes": "Second IP added.", "updated_at": ago(3)}},
         [replace(entry("Bybit main", "bybit"), updated_at=ago(50)),
          entry("Kraken staking", "kraken"), entry("Bitget copy trading", "bitget")])
    edit(source, {"Binance spot bot": {"notes": "Rotated in March.", "updated_at": ago(2)},
                  "OKX grid": {"updated_at": ago(30)}},
         [replace(entry("Bybit main", "okx"), updated_at=ago(5))])
    backup = tmp / "keys backup.vault"
    export_backup(copy, backup, password)
    copy.lock()
    source.lock()
    return backup


def backups(tmp: Path, settings: Any, path: Path, password: str,
            shoot: Callable[[Any, str], None], wait_until: Callable[..., None]) -> None:
    from vault_app.gui.backup.export_flow import open_export
    from vault_app.gui.backup.merge_dialog import MergeDialog
    from vault_app.gui.backup.restore_flow import open_restore
    from vault_app.gui.qt import Qt
    from vault_app.gui.window import MainWindow

    backup = diverged_backup(path, password, tmp)
    window = MainWindow(settings, path)
    window.resize(1200, 700)
    window.show()
    window.unlock(path, password)
    wait_until(lambda: window.vault is not None)
    window.table.selectRow(1)

    open_export(window)
    export = window.backup_dialog
    export.path.setText(str(tmp / "OKX keys.vault"))
    export.chosen.setChecked(True)
    for row in range(export.key_list.count()):  # the OKX keys
        item = export.key_list.item(row)
        if item.text().endswith("(okx)"):
            item.setCheckState(Qt.CheckState.Checked)
    export.use_separate.setChecked(True)
    export.separate.password.setText(BACKUP_PASSWORD)
    export.separate.confirm.setText(BACKUP_PASSWORD)
    export.separate.rate_now()
    wait_until(export.isVisible)
    shoot(export, "backup-export")
    export.export_button.click()
    wait_until(lambda: export.result_label.text().startswith("Backup verified")
               or export.error.isVisible())
    shoot(export, "backup-export-verified")
    export.reject()

    open_restore(window)
    restore = window.backup_dialog
    restore.backup_path.setText(str(backup))
    restore.password.setText(password)
    wait_until(restore.isVisible)
    shoot(restore, "backup-restore")
    restore.go.click()
    wait_until(lambda: isinstance(window.backup_dialog, MergeDialog))
    merge = window.backup_dialog
    wait_until(merge.isVisible)
    boxes = list(merge.choice_boxes.values())  # skip (the default), newer, both
    for box, choice in zip(boxes[1:], ("newer", "both"), strict=False):
        box.setCurrentIndex(max(0, box.findData(choice)))  # (no "both" for one API key)
    shoot(merge, "backup-merge")
    merge.merge_button.click()
    wait_until(lambda: merge.question is not None)
    question = merge.question
    wait_until(question.isVisible)
    shoot(question, "backup-merge-confirm")
    question.reject()  # nothing is merged
    merge.reject()

    open_restore(window)  # into a new vault: the question once it is written
    restore = window.backup_dialog
    restore.backup_path.setText(str(backup))
    restore.password.setText(password)
    restore.new.setChecked(True)
    restore.new_path.setText(str(tmp / "restored.vault"))
    restore.go.click()
    wait_until(lambda: restore.question is not None)
    wait_until(restore.question.isVisible)
    shoot(restore.question, "backup-restored")
    restore.question.reject()  # stay in this vault

    open_export(window)  # over an existing file: asked first, "No" the default
    export = window.backup_dialog
    export.path.setText(str(backup))
    export.master.setText(password)
    export.export_button.click()
    wait_until(lambda: export.question is not None)
    wait_until(export.question.isVisible)
    shoot(export.question, "backup-replace")
    export.question.reject()
    export.reject()
    window.close()
