"""PyInstaller entry script for the ``vault-app`` GUI (see packaging/vault-app.spec)."""

import sys

from vault_app.gui.app import main

sys.exit(main())
