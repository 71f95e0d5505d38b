"""Non-secret preferences, stored with QSettings. Secrets never go here."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vault_app import APP_NAME
from vault_app.gui.qt import QtCore

MAX_RECENT = 8
MAX_COPIES = 100


@dataclass(frozen=True)
class SecondFolder:
    """Where and when a vault's automatic copies go (``backups.copies``), per vault."""

    folder: Path | None = None  # None: no copies
    interval_minutes: int = 0  # 0: after each save, else at most once per interval
    keep: int = 10  # this vault's newest copies kept in the folder


class Settings:
    def __init__(self, qsettings: QtCore.QSettings | None = None) -> None:
        self._s = qsettings or QtCore.QSettings(APP_NAME, APP_NAME)

    def _int(self, key: str, default: int, low: int, high: int) -> int:
        try:
            value = int(self._s.value(key, default))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return default
        return min(max(value, low), high)

    @property
    def clipboard_seconds(self) -> int:
        return self._int("security/clipboard_seconds", 20, 5, 600)

    @clipboard_seconds.setter
    def clipboard_seconds(self, value: int) -> None:
        self._s.setValue("security/clipboard_seconds", int(value))

    @property
    def autolock_minutes(self) -> int:
        """0 disables auto-lock."""
        return self._int("security/autolock_minutes", 5, 0, 240)

    @autolock_minutes.setter
    def autolock_minutes(self, value: int) -> None:
        self._s.setValue("security/autolock_minutes", int(value))

    @property
    def lock_on_minimize(self) -> bool:
        return str(self._s.value("security/lock_on_minimize", "false")).lower() == "true"

    @lock_on_minimize.setter
    def lock_on_minimize(self, value: bool) -> None:
        self._s.setValue("security/lock_on_minimize", "true" if value else "false")

    @property
    def theme(self) -> str:
        value = str(self._s.value("appearance/theme", "system"))
        return value if value in ("system", "light", "dark") else "system"

    @theme.setter
    def theme(self, value: str) -> None:
        self._s.setValue("appearance/theme", value)

    @property
    def recent_vaults(self) -> list[Path]:
        raw = self._s.value("vaults/recent", [])
        items = [raw] if isinstance(raw, str) else list(raw or [])  # type: ignore[call-overload]
        return [Path(p) for p in items if isinstance(p, str) and p][:MAX_RECENT]

    def remember_vault(self, path: Path) -> None:
        path = Path(os.path.abspath(path))  # not resolved: a link is remembered as a link
        recent = [p for p in self.recent_vaults if p != path]
        self._s.setValue("vaults/recent", [str(p) for p in [path, *recent][:MAX_RECENT]])

    # --- per vault: keyed by its path (a path is no secret) ---------------------------
    @staticmethod
    def _vault_key(vault_path: Path, name: str) -> str:
        """``vault-<hash of the path>/name``: a path holds characters QSettings keys
        do not keep (``/``, ``\\``); the hash tells two vaults apart."""
        digest = hashlib.sha256(os.fsencode(os.path.abspath(vault_path))).hexdigest()[:20]
        return f"vault-{digest}/{name}"

    def second_folder(self, vault_path: Path) -> SecondFolder:
        folder = str(self._s.value(self._vault_key(vault_path, "copy_folder"), "") or "")
        return SecondFolder(
            Path(folder) if folder else None,
            self._int(self._vault_key(vault_path, "copy_interval_minutes"), 0, 0, 10_080),
            self._int(self._vault_key(vault_path, "copy_keep"), 10, 1, MAX_COPIES))

    def set_second_folder(self, vault_path: Path, value: SecondFolder) -> None:
        self._s.setValue(self._vault_key(vault_path, "copy_folder"),
                         str(value.folder) if value.folder else "")
        self._s.setValue(self._vault_key(vault_path, "copy_interval_minutes"),
                         int(value.interval_minutes))
        self._s.setValue(self._vault_key(vault_path, "copy_keep"), int(value.keep))

    def last_copy_at(self, vault_path: Path) -> datetime | None:
        raw = self._s.value(self._vault_key(vault_path, "last_copy_at"), "")
        try:
            when = datetime.fromisoformat(str(raw)) if raw else None
        except ValueError:
            return None
        return when.replace(tzinfo=UTC) if when and when.tzinfo is None else when

    def set_last_copy_at(self, vault_path: Path, when: datetime | None) -> None:
        """None: no copy made yet (the next save copies, whatever the interval)."""
        if when is None:
            self._s.remove(self._vault_key(vault_path, "last_copy_at"))
        else:
            self._s.setValue(self._vault_key(vault_path, "last_copy_at"), when.isoformat())

    def sync(self) -> None:
        self._s.sync()
