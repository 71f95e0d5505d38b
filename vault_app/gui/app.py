"""GUI entry point (``vault-app``, ``python -m vault_app``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vault_app import APP_NAME, __version__


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=APP_NAME, description="Encrypted vault for "
                                     "crypto-exchange API keys.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--vault", type=Path, metavar="PATH",
                        help="vault file (default: $VAULT_APP_VAULT, else vault.vault in "
                             "the user data folder)")
    parser.add_argument("--demo", action="store_true",
                        help="try vault-app with an offline demo exchange and a throwaway "
                             "demo vault (fake money; deleted at quit; your vault is not "
                             "touched)")
    known, _qt_args = parser.parse_known_args(argv)
    return known


def build_app(argv: list[str]) -> tuple[Any, Any]:
    """Create the QApplication and the main window (not shown yet)."""
    args = parse_args(argv[1:])  # --version exits here, before Qt is loaded

    from vault_app.core.paths import default_vault_path
    from vault_app.gui.qt import QtCore, QtGui, QtWidgets
    from vault_app.gui.settings import Settings
    from vault_app.gui.theme import apply_theme
    from vault_app.gui.window import MainWindow
    from vault_app.resources import resource_path

    app = QtWidgets.QApplication(argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("io.github.vault_app.VaultApp")
    icon = resource_path("icons/vault-app.svg")
    if icon.exists():
        app.setWindowIcon(QtGui.QIcon(str(icon)))
    settings = Settings()
    apply_theme(app, settings.theme)
    window = MainWindow(settings, (args.vault or default_vault_path()).expanduser())
    if args.demo:  # once the event loop runs: main() has set the signal handlers by then
        QtCore.QTimer.singleShot(0, window.start_demo)
    return app, window


def main(argv: Sequence[str] | None = None) -> int:
    from vault_app.core.process_hardening import harden_process, warning_text

    # First, before any window or password: no core dumps, no same-user ptrace.
    warning = warning_text(harden_process())
    app, window = build_app(list(sys.argv if argv is None else argv))
    if warning:
        print(f"{APP_NAME}: warning: {warning}", file=sys.stderr)
        window.statusBar().showMessage(f"Warning: {warning[:1].upper()}{warning[1:]}.")
    window.show()
    _close_on_signals(window)
    from vault_app.gui.long_lived import freeze_once
    from vault_app.gui.qt import QtCore

    # Once the event loop runs (the window built and shown): what exists now lives on.
    QtCore.QTimer.singleShot(0, lambda: freeze_once("started"))
    return int(app.exec())


def _close_on_signals(window: Any) -> None:
    """SIGINT (Ctrl-C in the terminal) and SIGTERM close the window as Quit does: the
    vault locks and a demo removes its folder. Python runs a handler only between
    bytecodes, so a timer gives it a chance while Qt waits for events."""
    import signal

    from vault_app.gui.qt import QtCore

    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda _n, _f: QtCore.QTimer.singleShot(0, window.close))
    timer = QtCore.QTimer(window)
    timer.timeout.connect(lambda: None)
    timer.start(250)
