"""Screenshots of real top-level windows under Xvfb and a window manager.

``make screenshots-wm`` (``python packaging/screenshots_wm.py OUT [SCENE...]``).

Offscreen ``QWidget.grab()`` lays a dialog out at its size hint, so it never shows
what happens once a window manager has placed and sized the window: that is how
the key dialog's buttons ended up on top of its Notes box unnoticed. This script
starts its own Xvfb and openbox, then for each scene runs the real app (``build_app``,
the xcb platform) on a fast-KDF demo vault in a throwaway HOME. The scene opens its
window and shows its messages; the app prints ``READY``; the script finds the window
with ``xdotool search``, resizes it from outside if the scene asks (as a user dragging
its border would), and captures it with ImageMagick's ``import``, frame included.

The trading scenes start the demo exchange in a thread of the app's process and open
a vault of demo keys on it (``screenshots.demo_trading_vault``); the DEMO scenes use
the app's own demo mode (``--demo`` / "Try the demo exchange"). The LIVE confirmation
uses a key whose environment is live: its requests to binance.com are sent to the
demo exchange instead (``route_binance_to``; there is no network here anyway), and
only its confirmation is opened: nothing is ever sent.

Adding a scene: write a function that takes a ``Driver`` and returns the top-level
widget to capture, and decorate it with ``@scene("file-name")`` (``size="minimum"``
shrinks the window to its minimum size first, ``size=(w, h)`` to that size;
``unlock=False`` starts from the unlock page).
Nothing here touches your real vault, settings or display.
"""

from __future__ import annotations

import argparse
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PASSWORD = "screenshot horse battery staple"
SCREEN = "1280x800x24"
TOOLS = {"Xvfb": "xvfb", "openbox": "openbox", "xdotool": "xdotool", "import": "imagemagick"}
READY_TIMEOUT = 90.0  # seconds for the app to start, unlock and open the scene


@dataclass(frozen=True)
class Scene:
    name: str
    setup: Callable[[Driver], Any]  # returns the top-level QWidget to capture
    size: str | tuple[int, int] | None = None
    unlock: bool = True  # unlock the demo vault before the scene runs


SCENES: dict[str, Scene] = {}


def scene(name: str, size: str | tuple[int, int] | None = None, unlock: bool = True
          ) -> Callable[[Callable[[Driver], Any]], Callable[[Driver], Any]]:
    def register(setup: Callable[[Driver], Any]) -> Callable[[Driver], Any]:
        SCENES[name] = Scene(name, setup, size, unlock)
        return setup
    return register


# --- the app side: runs inside the real app's process ------------------------------
class Driver:
    """What a scene needs from the running app: the window, and ways to wait."""

    def __init__(self, window: Any, vault_path: Path) -> None:
        self.window = window
        self.vault_path = vault_path
        self.demo: Any = None  # a DemoExchange of a trading scene, alive until the app quits

    def settle(self, ms: int = 100) -> None:
        from vault_app.gui.qt import QtCore

        loop = QtCore.QEventLoop()
        QtCore.QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_until(self, condition: Callable[[], object], what: str,
                   timeout_ms: int = 30_000) -> None:
        waited = 0
        while not condition():
            if waited > timeout_ms:
                raise TimeoutError(f"scene: gave up waiting for {what}")
            self.settle(20)
            waited += 20

    def unlock(self) -> None:
        self.window.unlock(self.vault_path, PASSWORD)
        self.wait_until(lambda: self.window.vault is not None, "the vault to unlock")

    def select(self, label: str) -> None:
        from vault_app.gui.keys_model import COL_LABEL

        proxy = self.window.proxy
        for row in range(proxy.rowCount()):
            if proxy.index(row, COL_LABEL).data() == label:
                self.window.table.selectRow(row)
                return
        raise LookupError(label)

    def open_form(self, edit: str | None = None) -> Any:
        if edit is None:
            self.window.add_key()
        else:
            self.select(edit)
            self.window.edit_key()
        form = self.window.form
        self.wait_until(lambda: form.isVisible(), "the key dialog")
        return form


SAVE_ERROR = ("Could not save: the vault file changed on disk while this dialog was "
              "open. Close it, look at the key again and repeat your edit.")


def add_key_with_every_message(driver: Driver) -> Any:
    """The Add-key dialog with the PEM hint, the withdraw warning and two errors."""
    from vault_app.gui.key_form import PEM_HINT
    from vault_app.gui.qt import QtWidgets

    form = driver.open_form()
    form.exchange.setCurrentIndex(form.exchange.findData("binance"))
    form.label.setText("Binance spot bot")
    form.credential_fields["apiKey"].setText("vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6ut")
    form.credential_fields["secret"].setText(
        "-----BEGIN PRIVATE KEY-----\n"
        "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
        "-----END PRIVATE KEY-----")
    form.permission_boxes["trade"].setChecked(True)
    form.permission_boxes["withdraw"].setChecked(True)
    form.show_error(RuntimeError(SAVE_ERROR))
    form.errors["label"].show_message(
        "A key named “Binance spot bot” already exists; pick another label.")
    driver.wait_until(lambda: any(label.isVisible() and label.text() == PEM_HINT
                                  for label in form.findChildren(QtWidgets.QLabel))
                      and form.withdraw_warning.isVisible()
                      and form.general_error.isVisible(), "the messages")
    return form


scene("add-key-every-message-minimum", size="minimum")(add_key_with_every_message)
scene("add-key-every-message")(add_key_with_every_message)


@scene("add-key-pem-revealed")
def add_key_pem_revealed(driver: Driver) -> Any:
    """A PEM secret shown in the multi-line, fixed-pitch editor."""
    form = add_key_with_every_message(driver)
    form.show_error(None)
    form.permission_boxes["withdraw"].setChecked(False)
    secret = form.credential_fields["secret"]
    secret.set_revealed(True)
    driver.wait_until(secret.editor.isVisible, "the PEM editor")
    return form


@scene("edit-key")
def edit_key(driver: Driver) -> Any:
    form = driver.open_form(edit="Gate treasury")  # can withdraw: the warning shows
    driver.wait_until(form.withdraw_warning.isVisible, "the withdraw warning")
    return form


@scene("main-window")
def main_window(driver: Driver) -> Any:
    driver.select("OKX grid")
    driver.window.detail.rows["apiKey"].reveal.setChecked(True)
    return driver.window


@scene("conflict-prompt")
def conflict_prompt(driver: Driver) -> Any:
    """Two edits of the same field: this window's notes against another process's."""
    from vault_app.core.vault import Vault

    form = driver.open_form(edit="OKX grid")
    form.notes.setPlainText("Grid bot on BTC-USDT, 0.5% steps. Edited in this window.")
    other = Vault.open(driver.vault_path, PASSWORD)  # another process, through the core
    entry = other.find("OKX grid")
    other.update(entry.id, {"notes": "Paused until the hearing on Monday (changed elsewhere).",
                            "credentials": {**entry.credentials, "secret": "rotated-elsewhere"}})
    other.lock()
    driver.wait_until(lambda: form.stale_banner.isVisible(), "the changed-underneath notice")
    form.buttons.button(form.buttons.StandardButton.Save).click()
    driver.wait_until(lambda: driver.window.conflict_dialog is not None
                      and driver.window.conflict_dialog.isVisible(), "the conflict prompt")
    return driver.window.conflict_dialog


@scene("read-only-banner", unlock=False)
def read_only_banner(driver: Driver) -> Any:
    """A vault file without write permission: the banner, the title, editing disabled."""
    driver.vault_path.chmod(0o400)
    driver.unlock()
    driver.wait_until(driver.window.read_only_banner.isVisible, "the read-only banner")
    driver.select("Gate treasury")
    return driver.window


def _dark(driver: Driver) -> None:
    from vault_app.gui.qt import QtWidgets
    from vault_app.gui.theme import apply_theme

    app = QtWidgets.QApplication.instance()
    assert isinstance(app, QtWidgets.QApplication)
    apply_theme(app, "dark")


@scene("dark-main-window")
def dark_main_window(driver: Driver) -> Any:
    """The dark theme: the selected row keeps its trade badge readable."""
    _dark(driver)
    driver.select("Binance spot bot")
    return driver.window


@scene("dark-edit-key")
def dark_edit_key(driver: Driver) -> Any:
    """The dark theme's dialog: the unchecked Withdraw box must be visible."""
    _dark(driver)
    form = driver.open_form(edit="OKX grid")
    form.notes.setFocus()
    return form


@scene("detail-max-notional")
def detail_max_notional(driver: Driver) -> Any:
    """A trading key's detail pane: its maximum order value, in USD."""
    driver.select("Binance spot bot")
    return driver.window


@scene("delete-unresolved-orders")
def delete_unresolved_orders(driver: Driver) -> Any:
    """Deleting a key whose last order's outcome is unknown: the question says so."""
    from vault_app.gui.qt import QtCore, QtWidgets
    from vault_app.trading.journal import Journal, journal_path

    vault = driver.window.vault
    entry = vault.find("Binance spot bot")
    Journal(journal_path(vault.path), vault.ensure_journal_key()).append({
        "kind": "order", "state": "PENDING", "client_order_id": "va-screenshot0000000001",
        "key_id": entry.id, "exchange": "binance", "environment": "live",
        "symbol": "BTC/USDT", "side": "buy", "type": "limit", "amount": "0.01",
        "price": "60000", "created_at": "2026-11-21T09:30:00Z",
        "time": "2026-11-21T09:30:00Z"})
    driver.select("Binance spot bot")
    QtCore.QTimer.singleShot(0, driver.window.delete_key)

    def question() -> Any:
        box = QtWidgets.QApplication.activeModalWidget()
        return box if box is not None and box.objectName() == "deleteDialog" else None

    driver.wait_until(lambda: question() is not None, "the delete question")
    return question()


@scene("create-page", unlock=False)
def create_page(driver: Driver) -> Any:
    """The first run: a password that looks strong but is not, and the KDF in plain words."""
    page = driver.window.create_page
    driver.window.show_start_page(driver.vault_path.with_name("new.vault"))
    driver.wait_until(page.isVisible, "the create page")
    page.password.setText("Tr0ub4dor&3")
    page.confirm.setText("Tr0ub4dor&3")
    return driver.window


# --- trading scenes ----------------------------------------------------------------
def _start_demo_exchange(driver: Driver) -> Any:
    from vault_app.trading.demo_exchange import DemoExchange

    driver.demo = DemoExchange(seed=1, volatility="0").start()
    return driver.demo


def _open_trading(driver: Driver, path: Path, entry_id: str) -> Any:
    """Unlock ``path`` in the window, open the trading view on ``entry_id``, wait for it."""
    window = driver.window
    window.show_start_page(path)
    window.unlock(path, PASSWORD)
    driver.wait_until(lambda: window.vault is not None, "the vault to unlock")
    window.show_trading(entry_id)
    view = window.sections.trading_view()
    driver.wait_until(lambda: view.symbols.chosen == "BTC/USDT" and not window.ops.busy,
                      "the markets, the price, the balances and the orders")
    return view


def trading_desk(driver: Driver) -> Any:
    """The trading view on "Demo trader" (two resting orders), a limit buy typed."""
    from screenshots import demo_trading_vault, fill_ticket

    demo = _start_demo_exchange(driver)
    path = driver.vault_path.with_name("trading.vault")
    trader = demo_trading_vault(path, demo)
    view = _open_trading(driver, path, trader.id)
    driver.wait_until(lambda: len(view.open_orders.orders()) == 2, "the two resting orders")
    fill_ticket(view.ticket)
    driver.wait_until(view.ticket.review.isEnabled, "the ticket to allow a review")
    return view


def _review(driver: Driver, view: Any, confirm: bool) -> Any:
    from vault_app.gui.trading.review_dialogs import ConfirmDialog, PreviewDialog

    window = driver.window
    view.ticket.review.click()
    driver.wait_until(lambda: isinstance(window.trading_dialog, PreviewDialog)
                      and window.trading_dialog.isVisible(), "the signed request")
    if not confirm:
        return window.trading_dialog
    window.trading_dialog.accept()
    driver.wait_until(lambda: isinstance(window.trading_dialog, ConfirmDialog)
                      and window.trading_dialog.isVisible(), "the confirmation")
    return window.trading_dialog


@scene("trading", unlock=False)
def trading(driver: Driver) -> Any:
    trading_desk(driver)
    return driver.window


@scene("trade-preview", unlock=False)
def trade_preview(driver: Driver) -> Any:
    return _review(driver, trading_desk(driver), confirm=False)


@scene("trade-confirm", unlock=False)
def trade_confirm(driver: Driver) -> Any:
    return _review(driver, trading_desk(driver), confirm=True)


@scene("open-orders", unlock=False)
def open_orders(driver: Driver) -> Any:
    """The open orders with one chosen: "Cancel order…" is offered."""
    view = trading_desk(driver)
    view.open_orders.table.setFocus()
    view.open_orders.table.selectRow(0)
    driver.wait_until(view.open_orders.cancel.isEnabled, "Cancel order to be offered")
    return driver.window


@scene("portfolio", unlock=False)
def portfolio(driver: Driver) -> Any:
    trading_desk(driver)
    window = driver.window
    window.show_portfolio()
    page = window.sections.portfolio_view()
    page.refresh()
    driver.wait_until(lambda: not page.busy and not window.ops.busy, "the balances")
    return window


def route_binance_to(url: str) -> None:
    """Send this process's HTTP requests for binance.com to ``url`` (the demo exchange).
    ccxt signs and the preview shows the request for the live endpoint; only the
    transport goes elsewhere. Should a request ever get past this (ccxt sending some
    other way), this process's sockets refuse every address but loopback: nothing
    signed with the demo's keys can reach binance.com."""
    import ipaddress
    import socket
    from urllib.parse import urlsplit

    connect = socket.socket.connect

    def loopback_only(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else None
        if host is not None and not ipaddress.ip_address(host).is_loopback:
            raise OSError(f"screenshots_wm: no connection off this machine ({host})")
        return connect(self, address)

    socket.socket.connect = loopback_only  # type: ignore[method-assign]

    import requests

    original = requests.Session.request

    def request(self: Any, method: str, target: str, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(target)
        host = parts.hostname or ""
        if host == "binance.com" or host.endswith(".binance.com"):
            target = url + parts.path + (f"?{parts.query}" if parts.query else "")
            kwargs.pop("proxies", None)  # straight to the demo on this machine
        return original(self, method, target, *args, **kwargs)

    requests.Session.request = request  # type: ignore[method-assign]


@scene("trade-confirm-live", unlock=False)
def trade_confirm_live(driver: Driver) -> Any:
    """The confirmation of a key whose environment is live: the red LIVE banner."""
    from screenshots import fill_ticket

    from vault_app.core.exchanges import load_catalog
    from vault_app.core.kdf import KdfParams
    from vault_app.core.model import new_entry
    from vault_app.core.vault import Vault

    demo = _start_demo_exchange(driver)
    route_binance_to(demo.url)
    path = driver.vault_path.with_name("live.vault")
    vault = Vault.create(path, PASSWORD, KdfParams(1024, 2, 1), enforce_kdf_minimum=False)
    entry = vault.add(new_entry(label="Binance main", exchange="binance",
                                catalog=load_catalog(), permissions="read,trade",
                                environment="live", ip_whitelist="203.0.113.7",
                                credentials={"apiKey": demo.trading_key.api_key,
                                             "secret": demo.trading_key.secret}))
    vault.lock()
    view = _open_trading(driver, path, entry.id)
    fill_ticket(view.ticket)
    driver.wait_until(view.ticket.review.isEnabled, "the ticket to allow a review")
    return _review(driver, view, confirm=True)


@scene("demo-first-run", unlock=False)
def demo_first_run(driver: Driver) -> Any:
    """The first run (no vault yet): "Try the demo exchange" below the create form."""
    page = driver.window.create_page
    driver.window.show_start_page(driver.vault_path.with_name("first-run.vault"))
    driver.wait_until(page.isVisible, "the create page")
    return driver.window


@scene("demo-start", unlock=False)
def demo_start(driver: Driver) -> Any:
    """What "Try the demo exchange" (or ``--demo``) opens: DEMO in the title and banner,
    the trading view on the demo's trading key."""
    window = driver.window
    window.show_start_page(driver.vault_path.with_name("first-run.vault"))
    window.create_page.try_demo.click()
    driver.wait_until(lambda: window.vault is not None and window.in_demo_vault,
                      "the demo vault")
    view = window.sections.trading_view()
    driver.wait_until(lambda: view.symbols.chosen is not None and not window.ops.busy,
                      "the demo's markets and orders")
    return window


def drive(scene_name: str, vault_path: Path) -> int:
    """Run the real app with ``scene_name`` set up on it; print READY when done."""
    from vault_app.gui.app import build_app
    from vault_app.gui.qt import QtCore

    app, window = build_app(["vault-app", "--vault", str(vault_path)])
    window.resize(1100, 680)
    window.show()
    driver = Driver(window, vault_path)

    def run() -> None:
        try:
            if SCENES[scene_name].unlock:
                driver.unlock()
            shown = SCENES[scene_name].setup(driver)
            driver.settle(400)  # the dialog's fit and the window manager's replies
            minimum = shown.minimumSize()
            print(f"READY {minimum.width()} {minimum.height()} {shown.windowTitle()}",
                  flush=True)
        except Exception as exc:  # reported to the runner, which stops
            print(f"FAILED {type(exc).__name__}: {exc}", flush=True)
            app.exit(1)

    QtCore.QTimer.singleShot(0, run)
    return int(app.exec())


# --- the runner side: Xvfb, openbox, xdotool, import --------------------------------
def make_demo_vault(path: Path) -> None:
    from vault_app.core.exchanges import load_catalog
    from vault_app.core.kdf import KdfParams
    from vault_app.core.model import new_entry
    from vault_app.core.vault import Vault

    vault = Vault.create(path, PASSWORD, KdfParams(1024, 2, 1), enforce_kdf_minimum=False)
    catalog = load_catalog()
    samples = [
        ("Binance spot bot", "binance", "read,trade", "203.0.113.7", ["bot"]),
        ("OKX grid", "okx", "read,trade", "203.0.113.7, 203.0.113.8", ["bot"]),
        ("Kraken tax export", "kraken", "read", "", ["tax"]),
        ("Gate treasury", "gate", "read,trade,withdraw", "198.51.100.4", []),
        ("Coinbase portfolio", "coinbase", "read", "", ["tracker"]),
    ]
    entries = []
    for label, exchange, perms, ips, tags in samples:
        creds = {name: f"{exchange}-{name}-7f3a9c2e41d8b6lI1O0"
                 for name in catalog.get(exchange).required}
        entries.append(new_entry(label=label, exchange=exchange, credentials=creds,
                                 catalog=catalog, permissions=perms, ip_whitelist=ips,
                                 tags=tags, notes="Created for the docs.",
                                 max_notional="2500" if exchange == "binance" else None))
    vault.add_many(entries)
    vault.lock()


def start_display(env: dict[str, str]) -> tuple[list[subprocess.Popen[bytes]], str]:
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", SCREEN,
                             "-nolisten", "tcp"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    number = b""
    while not number.endswith(b"\n"):
        ready, _, _ = select.select([read_fd], [], [], 20)
        chunk = os.read(read_fd, 16) if ready else b""
        if not chunk:
            xvfb.kill()
            raise RuntimeError("Xvfb did not start")
        number += chunk
    os.close(read_fd)
    display = f":{number.decode().strip()}"
    env["DISPLAY"] = display
    openbox = subprocess.Popen(["openbox", "--sm-disable"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)  # openbox takes over the root window (a script, not a test)
    if openbox.poll() is not None:
        xvfb.kill()
        raise RuntimeError("openbox did not start")
    return [openbox, xvfb], display


def ere_escape(text: str) -> str:
    """``text`` as a POSIX extended regular expression matching itself (xdotool --name)."""
    return "".join(f"\\{char}" if char in ".[]()*+?{}|^$\\" else char for char in text)


def run(cmd: list[str], env: dict[str, str]) -> str:
    return subprocess.run(cmd, env=env, check=True, capture_output=True, text=True,
                          timeout=30).stdout.strip()


def wait_ready(app: subprocess.Popen[str], name: str) -> tuple[int, int, str]:
    assert app.stdout is not None
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        ready, _, _ = select.select([app.stdout], [], [], 1.0)
        if not ready:
            if app.poll() is not None:
                break
            continue
        line = app.stdout.readline()
        if line.startswith("READY "):
            width, height, title = line[len("READY "):].rstrip("\n").split(" ", 2)
            return int(width), int(height), title
        if line.startswith("FAILED") or not line:
            raise RuntimeError(f"scene {name}: {line.strip() or 'the app exited'}")
    raise RuntimeError(f"scene {name}: the app was not ready in {READY_TIMEOUT:.0f} s")


def shoot(name: str, demo: Path, out: Path, env: dict[str, str]) -> Path:
    work = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=env["HOME"]))
    vault_path = work / "demo.vault"
    shutil.copy2(demo, vault_path)  # each scene gets its own copy (and its own lock)
    app = subprocess.Popen([sys.executable, __file__, "--drive", name, str(vault_path)],
                           env=env, stdout=subprocess.PIPE, text=True)
    try:
        min_width, min_height, title = wait_ready(app, name)
        ids = run(["xdotool", "search", "--sync", "--onlyvisible", "--pid", str(app.pid),
                   "--name", f"^{ere_escape(title)}$"], env).split()
        window_id = ids[-1]
        size = SCENES[name].size
        if size is not None:
            width, height = (min_width, min_height) if size == "minimum" else size
            run(["xdotool", "windowsize", "--sync", window_id, str(width), str(height)], env)
            time.sleep(1.0)  # Qt lays out and repaints after the window manager's resize
        geometry = run(["xdotool", "getwindowgeometry", window_id], env).splitlines()[-1]
        path = out / f"{name}.png"
        run(["import", "-window", window_id, "-frame", str(path)], env)
        print(f"saved {path} ({title!r}, {geometry.strip()})")
        return path
    finally:
        app.terminate()
        app.wait(10)


def main(out: Path, names: list[str]) -> int:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        packages = " ".join(TOOLS[tool] for tool in missing)
        print(f"screenshots-wm: skipped, {', '.join(missing)} not found. "
              f"Install them with: sudo apt-get install {packages}")
        return 0
    unknown = [name for name in names if name not in SCENES]
    if unknown:
        print(f"unknown scene(s) {', '.join(unknown)}; known: {', '.join(SCENES)}")
        return 2
    out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="vault-app-wm-shots-"))
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("QT_", "XDG_", "WAYLAND_", "VAULT_APP_"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), XDG_RUNTIME_DIR=str(home / "run"),
               TMPDIR=str(home / "tmp"), QT_QPA_PLATFORM="xcb",
               PYTHONPATH=os.pathsep.join((str(REPO), str(REPO / "packaging"))))
    (home / "run").mkdir(mode=0o700)
    (home / "tmp").mkdir(mode=0o700)
    demo = home / "demo.vault"
    make_demo_vault(demo)
    processes, display = start_display(env)
    print(f"Xvfb {display} ({SCREEN}) with openbox")
    try:
        for name in names or list(SCENES):
            shoot(name, demo, out, env)
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--drive":
        raise SystemExit(drive(sys.argv[2], Path(sys.argv[3])))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, nargs="?", default=REPO / "docs/screenshots/wm")
    parser.add_argument("scenes", nargs="*", help=f"default: all of {', '.join(SCENES)}")
    args = parser.parse_args()
    raise SystemExit(main(args.out, args.scenes))
