"""Adding and editing a key: the form, saving it, and what happens when another
window or process changed or deleted the key meanwhile (the conflict dialog,
adding a deleted key back, flagging a stale form)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from vault_app.core import errors
from vault_app.core.edits import FIELD_TITLES, differing_fields, restored_entry
from vault_app.core.model import KeyEntry
from vault_app.gui.conflict_dialog import ConflictDialog
from vault_app.gui.error_text import error_message
from vault_app.gui.key_form import KeyForm
from vault_app.gui.qt import QtWidgets
from vault_app.gui.vault_page import refresh
from vault_app.gui.widgets import plain_message_box

if TYPE_CHECKING:
    from vault_app.gui.window import MainWindow

STALE_FORM = (
    "This key was changed by another window or process since you opened this form "
    "({fields}). Saving keeps their changes to the fields you did not edit; if you both "
    "changed a field, you will be asked which value to keep."
)
DELETED_FORM = (
    "This key was deleted by another window or process since you opened this form. "
    "Saving will offer to add it back as a new key."
)
DELETED_HELP = (
    "“{label}” was deleted by another window or process while you edited it. "
    "Nothing was written.\n\nAdd your version back as a new key, or discard your changes?"
)
# In the demo vault (published password "demo", in a temporary folder) a demo key must
# not become a real one: what connects a key to an exchange account stays as it is.
DEMO_LOCKED_FIELDS = ("exchange", "environment", "api_url", "credentials")
DEMO_LOCKED = ("Demo vault: the exchange, environment, API URL and credentials of a demo "
               "key cannot be changed (its password is the published “demo”).")


def demo_refusal(window: MainWindow, changes: Mapping[str, Any]) -> errors.ValidationError | None:
    """Why ``changes`` to a key may not be saved in the open vault (None: they may)."""
    if not window.in_demo_vault:
        return None
    locked = [name for name in DEMO_LOCKED_FIELDS if name in changes]
    return errors.ValidationError(f"not saved: {DEMO_LOCKED}") if locked else None


def open_form(window: MainWindow, entry: KeyEntry | None) -> None:
    form = KeyForm(window.catalog(), entry, window, ops=window.ops)
    window.form = form
    if window.in_demo_vault:
        form.lock_connection(DEMO_LOCKED)

    def submitted(result: Any) -> None:
        form.set_busy(True)

        def done(saved: KeyEntry) -> None:
            trimmed = form.trimmed
            if window.form is form:  # not cancelled (and so deleted) meanwhile
                form.accept()
            refresh(window, saved.id)
            current = window.current_entry()
            if current is None or current.id != saved.id:
                window.search.clear()  # the filter hid the key just saved: show it
                refresh(window, saved.id)
            note = (f" Removed surrounding spaces from: {', '.join(trimmed)}."
                    if trimmed else "")
            window.statusBar().showMessage(
                f"Saved “{saved.label}” at {time.strftime('%H:%M:%S')}.{note}")

        def failed(exc: BaseException) -> None:
            if window.form is form:
                form.set_busy(False)
                form.show_error(exc if isinstance(exc, errors.ValidationError)
                                else RuntimeError(error_message(exc)))
            if window.vault is not None:
                refresh(window)

        if entry is None:
            window.save(lambda vault: vault.add(result), done, failed)
        else:
            _save_edit(window, form, result, entry, done, failed)

    def closed(_result: int) -> None:
        # Saved, cancelled or locked: the secrets typed go now, not at exit.
        if window.form is form:
            window.form = None
        # Its conflict or "deleted" dialog closes with it, unanswered (their answers see
        # the form gone and do nothing); else lock() would reach for deleted widgets.
        if window.conflict_dialog is not None and window.conflict_dialog.parent() is form:
            window.conflict_dialog.wipe()
            window.conflict_dialog = None
        if window.removed_dialog is not None and window.removed_dialog.parent() is form:
            window.removed_dialog.reject()
            window.removed_dialog = None
        form.wipe_fields()
        form.deleteLater()

    form.submitted.connect(submitted)
    form.finished.connect(closed)
    form.open()


def _save_edit(window: MainWindow, form: KeyForm, changes: Mapping[str, Any], base: KeyEntry,
               done: Callable[[Any], None], failed: Callable[[BaseException], None],
               resolving: errors.EditConflict | None = None,
               choices: dict[str, str] | None = None) -> None:
    """Save the fields the user changed, merged by the core with the disk's entry
    (``choices`` answer the conflict ``resolving``). Refused in the demo vault if they
    touch what connects the key to an exchange (``demo_refusal``)."""
    refusal = demo_refusal(window, changes)
    if refusal is not None:
        failed(refusal)
        return
    def refused(exc: BaseException) -> None:
        if isinstance(exc, errors.EditConflict | errors.EntryRemovedOnDisk):
            if window.vault is not None:
                refresh(window)  # the vault re-read the file: show what is there now
            if window.form is not form:  # cancelled or locked while it was saving:
                return  # nothing was written, and there is no one left to ask
            flag_stale_form(window)
        if isinstance(exc, errors.EditConflict):
            _resolve_conflict(window, form, exc, done, failed)
        elif isinstance(exc, errors.EntryRemovedOnDisk):
            _offer_add_back(window, form, done, failed)
        else:
            failed(exc)

    window.save(lambda vault: vault.update(base.id, changes, base=base, resolving=resolving,
                                           choices=choices), done, refused)


def _resolve_conflict(window: MainWindow, form: KeyForm, conflict: errors.EditConflict,
                      done: Callable[[Any], None],
                      failed: Callable[[BaseException], None]) -> None:
    theirs, base = conflict.theirs, conflict.base
    assert isinstance(theirs, KeyEntry) and isinstance(base, KeyEntry)
    dialog = ConflictDialog(theirs.label, conflict.conflicts, form)
    window.conflict_dialog = dialog

    def answered(result: int) -> None:
        window.conflict_dialog = None
        if window.vault is None or window.form is not form:  # locked meanwhile
            return
        if result != QtWidgets.QDialog.DialogCode.Accepted:
            failed(errors.VaultChangedOnDisk(
                "not saved: this key was changed elsewhere meanwhile. Your edits are "
                "still here; save again to choose which values to keep."))
            return
        # The core settles the edit against what the dialog showed, then merges it
        # with the disk under the lock: anything changed there since is asked again.
        _save_edit(window, form, conflict.changes, base, done, failed,
                   resolving=conflict, choices=dialog.choices())

    dialog.finished.connect(answered)
    dialog.finished.connect(lambda _result: _dispose(dialog))  # after answered()
    dialog.open()


def _offer_add_back(window: MainWindow, form: KeyForm, done: Callable[[Any], None],
                    failed: Callable[[BaseException], None]) -> None:
    base = form.entry
    assert base is not None
    label = base.label
    box = plain_message_box(form, QtWidgets.QMessageBox.Icon.Warning,
                            "Key deleted in another window", DELETED_HELP.format(label=label))
    box.setObjectName("removedDialog")
    add_back = box.addButton("Add back as a new key",
                             QtWidgets.QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard my changes",
                            QtWidgets.QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(add_back)
    window.removed_dialog = box

    def answered() -> None:
        window.removed_dialog = None
        clicked = box.clickedButton()
        if window.vault is None or window.form is not form:  # locked meanwhile
            return
        if clicked is discard:
            form.reject()
        elif clicked is add_back:
            if window.in_demo_vault:  # adding is off there (demo_mode.py says why)
                failed(errors.ValidationError(f"not saved: {DEMO_LOCKED}"))
                return
            try:
                entry = restored_entry(base, form.values(), window.catalog())
            except errors.VaultError as exc:
                failed(exc)
                return
            window.save(lambda vault: vault.add(entry), done, failed)
        else:
            failed(errors.EntryRemovedOnDisk(
                "not saved: this key was deleted elsewhere meanwhile."))

    box.finished.connect(lambda _result: answered())
    box.finished.connect(lambda _result: box.deleteLater())
    box.open()


def flag_stale_form(window: MainWindow) -> None:
    """Tell an open edit form whose key changed underneath it."""
    form, vault = window.form, window.vault
    if form is None or form.entry is None or vault is None:
        return
    row = window.model.row_of(form.entry.id)
    if row < 0:
        form.show_stale(DELETED_FORM)
        return
    changed = differing_fields(form.entry, window.model.entry(row))
    if changed:
        form.show_stale(STALE_FORM.format(
            fields=", ".join(FIELD_TITLES[name] for name in changed).lower()))


def _dispose(dialog: ConflictDialog) -> None:
    """Forget the values an answered conflict dialog showed, and delete it."""
    dialog.wipe_values()
    dialog.deleteLater()
