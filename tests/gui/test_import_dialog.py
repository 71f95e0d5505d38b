"""*Import…*: preview with masked keys and skipped duplicates, one save, then the
plaintext warning and *Delete the file…* asking first (default: keep it)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from tests.unit.core.importers.test_importers import CSV
from vault_app.core.vault import Vault
from vault_app.gui.import_dialog import ImportDialog
from vault_app.gui.qt import QtWidgets
from vault_app.gui.window import MainWindow

from .helpers import SIGNAL_TIMEOUT, click, labels_shown, type_into, wait_for_dialog

# "key 0" of the sample vault is a binance key; this file repeats it on line 3
DUPLICATE = "Again,binance,{key},s,,read,\n"


def open_import(qtbot: QtBot, window: MainWindow) -> ImportDialog:
    window.act_import.trigger()
    dialog = window.vault_dialog
    assert isinstance(dialog, ImportDialog)
    wait_for_dialog(qtbot, dialog)
    return dialog


def preview(qtbot: QtBot, dialog: ImportDialog, path: Path) -> None:
    with qtbot.waitSignal(dialog.previewed, timeout=SIGNAL_TIMEOUT):
        dialog.choose_file(str(path))


def rows(dialog: ImportDialog) -> list[list[str]]:
    return [[dialog.table.topLevelItem(i).text(c) for c in range(5)]
            for i in range(dialog.table.topLevelItemCount())]


def test_import_previews_saves_once_and_asks_before_deleting(
        qtbot: QtBot, unlocked: MainWindow, tmp_path: Path) -> None:
    vault = unlocked.vault
    assert vault is not None
    stored_key = vault.find("key 0").credentials["apiKey"]
    source = tmp_path / "keys.csv"
    source.write_text(CSV + DUPLICATE.format(key=stored_key))
    dialog = open_import(qtbot, unlocked)
    preview(qtbot, dialog, source)
    assert dialog.format.currentData() == "csv"  # guessed from the header
    shown = rows(dialog)
    assert shown[0] == ["2", "\u2068Binance bot\u2069", "binance", "bn-k…7890", "yes"]
    assert shown[2][:3] == ["4", "\u2068Again\u2069", "binance"]
    assert not any("secret" in cell for row in shown for cell in row)
    with qtbot.waitSignal(dialog.imported, timeout=SIGNAL_TIMEOUT):
        click(qtbot, dialog.import_button)
    assert "plain text" in dialog.status.text()
    assert [row[4] for row in rows(dialog)][:3] == ["imported", "imported",
                                                    "skipped: \u2068the same API key is "
                                                    "already stored as 'key 0'\u2069"]
    on_disk = Vault.open(vault.path, PASSWORD, read_only=True)
    assert on_disk.find("OKX main (2)").credentials["password"] == "okx-pass"
    assert "Binance bot" in labels_shown(unlocked)
    click(qtbot, dialog.delete_button)
    box = dialog.question
    assert isinstance(box, QtWidgets.QMessageBox)
    wait_for_dialog(qtbot, box)
    assert box.defaultButton().text() == "&Keep the file"  # the safe default
    box.defaultButton().click()
    assert source.exists()
    click(qtbot, dialog.delete_button)
    box = dialog.question
    assert isinstance(box, QtWidgets.QMessageBox)
    wait_for_dialog(qtbot, box)
    delete = next(b for b in box.buttons() if b.text() == "&Delete")
    with qtbot.waitSignal(dialog.deleted, timeout=SIGNAL_TIMEOUT):
        delete.click()
    assert not source.exists()


def test_a_malformed_file_names_the_line_and_cannot_be_imported(
        qtbot: QtBot, unlocked: MainWindow, tmp_path: Path) -> None:
    source = tmp_path / "keys.csv"
    source.write_text(CSV + "Bad,binance,key-12345678,s,,fly,\n")
    dialog = open_import(qtbot, unlocked)
    preview(qtbot, dialog, source)
    assert "Line 4: permissions: unknown permission fly" in dialog.status.text()
    assert not dialog.import_button.isEnabled() and dialog.table.topLevelItemCount() == 0


def test_an_env_without_exchange_asks_for_one(qtbot: QtBot, unlocked: MainWindow,
                                              tmp_path: Path) -> None:
    source = tmp_path / ".env"
    source.write_text("API_KEY=gen-key-1234567890\nAPI_SECRET=gen-secret\n")
    dialog = open_import(qtbot, unlocked)
    preview(qtbot, dialog, source)
    assert "which exchange" in dialog.status.text()
    with qtbot.waitSignal(dialog.previewed, timeout=SIGNAL_TIMEOUT):
        type_into(qtbot, dialog.exchange, "bybit")
        dialog.exchange.editingFinished.emit()
    assert rows(dialog)[0][2] == "bybit" and dialog.import_button.isEnabled()


def test_locking_wipes_the_dialog(qtbot: QtBot, unlocked: MainWindow, tmp_path: Path) -> None:
    source = tmp_path / "keys.csv"
    source.write_text(CSV)
    dialog = open_import(qtbot, unlocked)
    preview(qtbot, dialog, source)
    unlocked.lock()
    assert dialog.plan is None and dialog.table.topLevelItemCount() == 0
    assert unlocked.vault_dialog is None


def import_and_delete(qtbot: QtBot, dialog: ImportDialog) -> None:
    with qtbot.waitSignal(dialog.imported, timeout=SIGNAL_TIMEOUT):
        click(qtbot, dialog.import_button)
    click(qtbot, dialog.delete_button)
    box = dialog.question
    assert isinstance(box, QtWidgets.QMessageBox)
    wait_for_dialog(qtbot, box)
    delete = next(b for b in box.buttons() if b.text() == "&Delete")
    delete.click()


def test_a_file_changed_since_the_preview_is_not_deleted(
        qtbot: QtBot, unlocked: MainWindow, tmp_path: Path) -> None:
    source = tmp_path / "keys.csv"
    source.write_text(CSV)
    dialog = open_import(qtbot, unlocked)
    preview(qtbot, dialog, source)
    added = "Later,bybit,bybit-key-1234567890,bybit-secret,,read,\n"
    with source.open("a") as f:  # a key added after the file was read
        f.write(added)
    import_and_delete(qtbot, dialog)
    qtbot.waitUntil(lambda: "changed since it was read" in dialog.status.text(),
                    timeout=SIGNAL_TIMEOUT)
    assert "not deleted" in dialog.status.text()
    assert source.read_text().endswith(added)


def test_deleting_a_link_says_the_target_still_holds_the_secrets(
        qtbot: QtBot, unlocked: MainWindow, tmp_path: Path) -> None:
    target = tmp_path / "real.csv"
    target.write_text(CSV)
    link = tmp_path / "keys.csv"
    link.symlink_to(target)
    dialog = open_import(qtbot, unlocked)
    preview(qtbot, dialog, link)
    with qtbot.waitSignal(dialog.deleted, timeout=SIGNAL_TIMEOUT):
        import_and_delete(qtbot, dialog)
    text = dialog.status.text()
    assert "Deleted only the link" in text and "still holds the secrets" in text
    assert str(target) in text and target.exists() and not link.exists()
