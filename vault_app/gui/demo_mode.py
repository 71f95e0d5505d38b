"""Demo mode (``vault-app --demo``, "Try the demo exchange"): the offline demo exchange
and a throwaway demo vault, opened unlocked in the window, marked DEMO everywhere.

The core (``vault_app.trading.demo_vault``) starts the exchange and makes the vault, in
the background; here the window is told which vault is the demo's, so that it is never
remembered as the user's vault, its title and a banner say DEMO, adding a key is turned
off, and quitting stops the exchange and removes the folder.

Adding keys is blocked, not merely warned about: the demo vault's password is the
published "demo" and it lives in the temporary folder, so a real secret typed into it
would sit on disk under a known password, and then vanish from the vault at quit. A
warning can be clicked through; the demo needs no new key (both demo keys are there).
"Save a copy as…" is off too: the copy would be a lasting vault under the password
"demo", where adding keys is allowed.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from vault_app.gui.error_text import error_message
from vault_app.gui.qt import Qt, QtCore, QtWidgets, Signal
from vault_app.trading.demo_vault import (
    DEMO_PASSWORD,
    TRADING_LABEL,
    DemoSession,
    is_demo_vault,
    start_demo,
)

if TYPE_CHECKING:
    from vault_app.core.vault import Vault
    from vault_app.gui.window import MainWindow

TITLE = "vault-app — DEMO"
BANNER = (
    "<b>DEMO</b> — an offline demo exchange on this computer, with fake money. This demo "
    f"vault (master password “{DEMO_PASSWORD}”) is deleted when you quit. Do not add real "
    "keys here: adding keys is turned off. To keep your own keys, quit and create your "
    "vault."
)
ADD_BLOCKED = ("Adding keys is turned off in the demo vault: its password is the "
               f"published “{DEMO_PASSWORD}” and it is deleted at quit. Keep real keys in "
               "your own vault.")
COPY_BLOCKED = ("Saving a copy is turned off in the demo vault: the copy would keep the "
                f"published password “{DEMO_PASSWORD}”.")
LOCKED_NOTICE = f"This is the demo vault: its master password is “{DEMO_PASSWORD}”."
STARTING = "Starting the demo exchange…"


def trading_key_id(session: DemoSession) -> str | None:
    """The demo's trading key, which the trading view should start on (the read-only
    key sorts first and could only look)."""
    return next((e.id for e in session.vault.entries if e.label == TRADING_LABEL), None)


class DemoBanner(QtWidgets.QLabel):
    """The unmistakable DEMO strip at the top of the unlocked page."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(BANNER, parent)
        self.setObjectName("demoBanner")
        self.setAccessibleName("Demo mode")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setStyleSheet(
            "#demoBanner { background: #e3ecff; color: #0b2a66; border: 2px solid #3056d3;"
            " border-radius: 4px; padding: 6px; }")
        self.hide()


class DemoMode(QtCore.QObject):
    """The window's demo: started once, stopped when the window closes."""

    opened = Signal()  # the demo vault is open in the window
    failed = Signal(str)  # the demo could not start: why

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.session: DemoSession | None = None
        self._lock = threading.Lock()  # the worker hands the session over under it
        self._closed = False
        self._starting = False
        self.banner = _above_the_pages(window)
        window.unlocked.connect(self._mark)
        window.locked.connect(self._mark)
        window.unlock_page.path_changed.connect(self._mark)

    # --- lifetime ------------------------------------------------------------------
    def start(self) -> None:
        """Start the demo in the background; then open its vault in the window. Ignored
        while it starts, once it runs, and once stopped."""
        if self._starting or self._closed or self.session is not None:
            return
        self._starting = True
        window = self.window
        window.create_page.set_busy(True, STARTING)
        window.unlock_page.set_busy(True)  # no real vault unlocked while the demo starts
        window.statusBar().showMessage(STARTING)

        def work() -> DemoSession:  # no widget in here
            session = start_demo()
            with self._lock:
                if self._closed:  # the window closed meanwhile
                    session.stop()
                else:
                    self.session = session
            return session

        self.window.ops.run(work, self._started, self._failed)

    def _started(self, session: DemoSession) -> None:
        self._starting = False
        window = self.window
        window.create_page.set_busy(False)
        window.unlock_page.set_busy(False)
        if self._closed or self.session is not session:
            return
        window.create_page.wipe()  # whatever was typed for a real vault goes
        window.lock()  # another vault open in this window: locked first
        window.statusBar().showMessage(
            f"Demo exchange running on {session.exchange.url}; demo vault in "
            f"{session.folder}.")
        window._opened(session.vault)
        self._mark()
        show_trading = getattr(window, "show_trading", None)  # the trading view, once merged
        if callable(show_trading):
            show_trading(trading_key_id(session))  # the key that can place an order
        self.opened.emit()

    def _failed(self, exc: BaseException) -> None:
        self._starting = False
        window = self.window
        window.create_page.set_busy(False)
        window.unlock_page.set_busy(False)
        message = f"The demo could not start: {error_message(exc)}"
        window.statusBar().showMessage(message)
        if window.stack.currentWidget() is window.create_page:
            window.create_page.error.show_message(message)
        self.failed.emit(message)

    def stop(self) -> None:
        """Stop the exchange and remove the demo folder (at quit; more than once is
        harmless). A start still running stops its session as soon as it has one."""
        with self._lock:
            self._closed = True
            session = self.session
        if session is not None:
            session.stop()

    # --- what the window asks ------------------------------------------------------
    def owns(self, path: Path | None) -> bool:
        """``path`` is the running demo's vault."""
        return path is not None and is_demo_vault(path, self.session)

    def is_open(self, vault: Vault | None) -> bool:
        return vault is not None and self.owns(vault.given_path)

    def _mark(self, path: Path | None = None) -> None:
        """Title, banner, lock notice and the Add key action follow the vault shown
        (``path``: the one just chosen on the unlock page)."""
        window = self.window
        shown = window.vault.given_path if window.vault is not None else (
            path or window.vault_path)
        demo = self.owns(shown)
        if demo:
            window.setWindowTitle(TITLE)
        elif window.windowTitle() == TITLE:
            window.setWindowTitle("vault-app")  # another vault: the window sets its name
        self.banner.setVisible(demo and window.vault is not None)
        heading = window.unlock_page.heading
        heading.setText(f"<h1>{'Unlock the demo vault' if demo else 'Unlock your vault'}</h1>")
        heading.setAccessibleName("Unlock the demo vault" if demo else "Unlock your vault")
        if demo and window.vault is None:
            notice = window.unlock_page.notice.text()
            if LOCKED_NOTICE not in notice:
                window.unlock_page.set_notice(f"{notice} {LOCKED_NOTICE}".strip())
        window.act_add.setToolTip(ADD_BLOCKED if demo else "")
        window.act_save_copy.setToolTip(COPY_BLOCKED if demo else "")


def _above_the_pages(window: MainWindow) -> DemoBanner:
    """A banner above the window's page stack: it stays on show whichever page or
    section (keys, trading, portfolio) the unlocked vault shows."""
    stack = window.takeCentralWidget()  # kept, not deleted
    container = QtWidgets.QWidget(window)
    container.setObjectName("demoContainer")
    layout = QtWidgets.QVBoxLayout(container)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    banner = DemoBanner(container)
    row = QtWidgets.QHBoxLayout()
    row.setContentsMargins(9, 9, 9, 0)  # lined up with the page's own margins
    row.addWidget(banner)
    layout.addLayout(row)
    layout.addWidget(stack, 1)
    window.setCentralWidget(container)
    return banner
