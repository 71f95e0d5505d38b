"""GUI entry point (``vault-app``)."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    if "--version" in argv[1:]:
        from vault_app import __version__

        print(f"vault-app {__version__}")
        return 0
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication(argv)
    label = QLabel("vault-app: the desktop window is being built; use vault-app-cli meanwhile.")
    label.setMargin(24)
    label.show()
    return app.exec()
