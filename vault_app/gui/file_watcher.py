"""Notice when another window or process saves the vault file.

Saves replace the file atomically (a new inode), after which a plain
``QFileSystemWatcher`` on the file goes silent. So the folder is watched too,
and the file is re-added after every event. One save raises several events (a
temp file, the rename, the lock file): they are coalesced into one ``changed``.
The window then asks the core to reload; a reload of an unchanged file is a
no-op, so the window's own saves cost one read.
"""

from __future__ import annotations

from pathlib import Path

from vault_app.gui.qt import QtCore, Signal

COALESCE_MS = 100


class VaultFileWatcher(QtCore.QObject):
    changed = Signal()

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._path: Path | None = None
        self._watcher = QtCore.QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._poke)
        self._watcher.directoryChanged.connect(self._poke)
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COALESCE_MS)
        self._timer.timeout.connect(self._fire)

    def watch(self, path: Path) -> None:
        self.stop()
        self._path = path
        self._arm()

    def stop(self) -> None:
        self._timer.stop()
        self._path = None
        watched = self._watcher.files() + self._watcher.directories()
        if watched:
            self._watcher.removePaths(watched)

    def watched(self) -> list[str]:
        return sorted(self._watcher.files() + self._watcher.directories())

    def _arm(self) -> None:
        if self._path is None:
            return
        for path, listed in ((self._path, self._watcher.files()),
                             (self._path.parent, self._watcher.directories())):
            if str(path) not in listed and path.exists():
                self._watcher.addPath(str(path))

    def _poke(self, _path: str) -> None:
        self._arm()  # the file may be a new inode now
        self._timer.start()

    def _fire(self) -> None:
        self._arm()
        if self._path is not None:
            self.changed.emit()
