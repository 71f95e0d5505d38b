"""The offline demo: the demo exchange in a thread and a throwaway vault holding two demo
keys for it, in a private temporary folder removed when the demo stops.

The demo vault is never the user's vault: it lives in its own folder under the platform's
temporary directory (``vault-app-demo-*``, mode 0700), holds only keys of the demo
exchange, and is deleted by ``DemoSession.stop``. A demo that crashed leaves its folder
behind; the next ``start_demo`` removes it (ours only: this user's, our name, and not in
use by a demo still running, which holds an ``flock`` on the folder's ``in-use`` file).

Its master password is ``DEMO_PASSWORD`` ("demo"), published on purpose: the vault can
lock (idle, minimised, Ctrl+L) like any other and the user must be able to unlock it
again, from the window or with the CLI. A secret password would protect nothing here
(the demo keys work only on the demo exchange, on 127.0.0.1, for the demo's lifetime);
a random one kept in memory would make locking a pretence. For the same reason the KDF
is the minimum a new vault may use (``DEMO_KDF``): stronger work factors would only slow
the start and each unlock.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from vault_app.core.exchanges import load_catalog
from vault_app.core.kdf import MIN_CREATE_ITERATIONS, MIN_CREATE_MEMORY_KIB, KdfParams
from vault_app.core.model import KeyEntry, new_entry
from vault_app.core.vault import Vault
from vault_app.trading.demo_exchange import DemoExchange, DemoKey
from vault_app.trading.endpoints import DEMO_TAG
from vault_app.trading.markets_cache import MarketsCache, cache_key

DEMO_PASSWORD = "demo"
DEMO_KDF = KdfParams(memory_kib=MIN_CREATE_MEMORY_KIB, iterations=MIN_CREATE_ITERATIONS,
                     parallelism=1)
FOLDER_PREFIX = "vault-app-demo-"
VAULT_NAME = "demo.vault"
IN_USE_NAME = "in-use"
REQUEST_LOG_LIMIT = 1000  # a demo may run for hours: the request log must not grow forever
YOUNG_SECONDS = 60.0
"""A folder of ours without its ``in-use`` file is left alone this long after its last
change: another demo may have just made it and not yet created the file."""

TRADING_LABEL = "Demo trading key"
READ_LABEL = "Demo read-only key"
_NOTE = ("A demo key: it works only on the offline demo exchange that vault-app runs on "
         "127.0.0.1 (fake money, prices from a random walk). This vault is deleted when "
         "the demo ends.")


def demo_entries(exchange: DemoExchange) -> list[KeyEntry]:
    """The demo vault's two keys: a trading key (read, trade) and a read-only key."""
    return [
        _entry(exchange, TRADING_LABEL, exchange.trading_key, ("read", "trade"),
               "It can place and cancel orders. " + _NOTE),
        _entry(exchange, READ_LABEL, exchange.read_key, ("read",),
               "It can see balances and orders but never place one. " + _NOTE),
    ]


def _entry(exchange: DemoExchange, label: str, key: DemoKey, permissions: tuple[str, ...],
           notes: str) -> KeyEntry:
    return new_entry(label=label, exchange="binance", catalog=load_catalog(),
                     permissions=permissions, environment="custom", api_url=exchange.url,
                     credentials={"apiKey": key.api_key, "secret": key.secret},
                     notes=notes, tags=(DEMO_TAG,))


@dataclass
class DemoSession:
    """A running demo: the exchange, and the open demo vault in its own folder.

    ``stop`` stops the exchange, locks the vault, removes the folder and the demo
    exchange's markets cache file (its URL, with its random port, is never used again);
    it may be called more than once.
    """

    folder: Path
    exchange: DemoExchange
    vault: Vault
    _in_use: int | None = field(default=None, repr=False)

    @property
    def vault_path(self) -> Path:
        return self.folder / VAULT_NAME

    @property
    def stopped(self) -> bool:
        return self._in_use is None

    def stop(self) -> None:
        fd, self._in_use = self._in_use, None
        self.exchange.stop()
        self.vault.lock()
        remove_folder(self.folder)
        if fd is not None:
            os.close(fd)  # after the removal: a concurrent start never sees it unused
        with contextlib.suppress(OSError, ValueError):
            MarketsCache().path(cache_key("binance", "custom", self.exchange.url)).unlink(
                missing_ok=True)


def start_demo(*, seed: int | None = None, temp_dir: str | os.PathLike[str] | None = None,
               kdf: KdfParams = DEMO_KDF, enforce_kdf_minimum: bool = True) -> DemoSession:
    """Remove stale demo folders, start the demo exchange (a free port on 127.0.0.1) and
    create the demo vault with its two keys. ``seed`` None picks a random one.

    ``temp_dir`` (default: the platform's temporary directory) and
    ``enforce_kdf_minimum=False`` (with a faster ``kdf``) are for tests.
    """
    base = Path(temp_dir) if temp_dir is not None else Path(tempfile.gettempdir())
    remove_stale_demos(base)
    folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX, dir=base))  # mode 0700
    fd = None
    exchange = DemoExchange(seed=secrets.randbits(31) if seed is None else seed,
                            log_limit=REQUEST_LOG_LIMIT)
    try:
        fd = _hold(folder / IN_USE_NAME, create=True)
        exchange.start()
        vault = Vault.create(folder / VAULT_NAME, DEMO_PASSWORD, kdf,
                             enforce_kdf_minimum=enforce_kdf_minimum)
        for entry in demo_entries(exchange):
            vault.add(entry)
    except BaseException:
        exchange.stop()
        remove_folder(folder)
        if fd is not None:
            os.close(fd)
        raise
    return DemoSession(folder, exchange, vault, fd)


def is_demo_vault(path: str | os.PathLike[str], session: DemoSession | None) -> bool:
    """``path`` is the running demo's vault (never true once the demo stopped)."""
    if session is None or session.stopped:
        return False
    return os.path.abspath(path) == os.path.abspath(session.vault_path)


# --- folders -----------------------------------------------------------------------

def _hold(path: Path, *, create: bool = False) -> int | None:
    """An open descriptor of ``path`` with an exclusive ``flock`` on it, or None if
    another process holds it. Never follows a link."""
    flags = os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NOCTTY
    fd = os.open(path, flags | (os.O_CREAT | os.O_EXCL if create else 0), 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return None
        raise
    return fd


def is_ours(path: Path) -> bool:
    """A real folder (not a link) named like ours, owned by this user, private."""
    if not path.name.startswith(FOLDER_PREFIX):
        return False
    try:
        info = path.lstat()
    except OSError:
        return False
    return (stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
            and stat.S_IMODE(info.st_mode) & 0o077 == 0)


def remove_stale_demos(temp_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """Remove the folders that demos which did not stop cleanly left in ``temp_dir``;
    return them. A folder of a demo still running (its ``in-use`` file locked), of
    another user, not named ours or not private is left alone."""
    base = Path(temp_dir) if temp_dir is not None else Path(tempfile.gettempdir())
    removed: list[Path] = []
    try:
        candidates = sorted(base.glob(FOLDER_PREFIX + "*"))
    except OSError:
        return removed
    for folder in candidates:
        if is_ours(folder) and _stale(folder):
            remove_folder(folder)
            removed.append(folder)
    return removed


def _stale(folder: Path) -> bool:
    try:
        fd = _hold(folder / IN_USE_NAME)
    except FileNotFoundError:
        try:
            return time.time() - folder.lstat().st_mtime > YOUNG_SECONDS
        except OSError:
            return False
    except OSError:  # a link, a FIFO, no permission: not something we made
        return False
    if fd is None:
        return False  # a running demo holds it
    os.close(fd)  # nobody holds it: its demo is gone (the kernel dropped the lock)
    return True


def remove_folder(folder: Path) -> None:
    """Remove a demo folder and everything in it. The vault in it holds only demo keys
    under a published password, so unlinking is enough (no overwriting). ``rmtree``
    does not follow links out of the folder."""
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(folder)
