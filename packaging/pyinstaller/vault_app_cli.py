"""PyInstaller entry script for ``vault-app-cli`` (see packaging/vault-app.spec)."""

import sys

from vault_app.cli import main

sys.exit(main())
