""""Load PEM file" reads the picked file in the background, with type and size checks.

It used to call Path.read_text() on the UI thread on whatever was picked: a FIFO
hung the GUI, /dev/zero filled the memory, a huge file was pasted into the field.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from vault_app.gui.key_form import KeyForm
from vault_app.gui.qt import QtWidgets
from vault_app.gui.window import MainWindow

from .helpers import SIGNAL_TIMEOUT, click, fill_form, open_add_form

PEM = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----"


def load(qtbot: QtBot, form: KeyForm, path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Pick ``path`` with "Load PEM file…"; the inline error shown, or ""."""
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName",
                        lambda *_args, **_kwargs: (str(path), ""))
    with qtbot.waitSignal(form.pem_load_finished, timeout=SIGNAL_TIMEOUT):
        click(qtbot, form.load_buttons["secret"])
    error = form.errors["secret"]
    return error.text() if error.isVisible() else ""


@pytest.fixture
def form(qtbot: QtBot, unlocked: MainWindow) -> KeyForm:
    form = open_add_form(qtbot, unlocked)
    fill_form(qtbot, form, exchange="binance")
    return form


def test_a_pem_file_is_loaded(qtbot: QtBot, form: KeyForm, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "key.pem").write_text(f"\n{PEM}\n", encoding="utf-8")
    assert load(qtbot, form, tmp_path / "key.pem", monkeypatch) == ""
    assert form.credential_fields["secret"].text() == PEM


@pytest.mark.timeout(60)  # the old code blocked the UI thread on the FIFO for ever
def test_a_fifo_is_refused_inline_without_hanging(
        qtbot: QtBot, form: KeyForm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    os.mkfifo(tmp_path / "key.pem")
    error = load(qtbot, form, tmp_path / "key.pem", monkeypatch)
    assert "FIFO" in error and "nothing was read" in error
    assert form.credential_fields["secret"].text() == ""
    assert form.load_buttons["secret"].isEnabled()


def test_a_device_behind_a_link_is_refused_inline(
        qtbot: QtBot, form: KeyForm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "key.pem").symlink_to("/dev/zero")
    assert "character device" in load(qtbot, form, tmp_path / "key.pem", monkeypatch)
    assert form.credential_fields["secret"].text() == ""


def test_a_huge_file_is_refused_inline(
        qtbot: QtBot, form: KeyForm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "key.pem").write_text(PEM + "\n" + "A" * 100_000, encoding="utf-8")
    assert "too large" in load(qtbot, form, tmp_path / "key.pem", monkeypatch)
    assert form.credential_fields["secret"].text() == ""
