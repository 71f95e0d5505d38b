"""Where the vault lives by default."""

from __future__ import annotations

import os
from pathlib import Path

from vault_app import APP_NAME

VAULT_ENV = "VAULT_APP_VAULT"
DEFAULT_FILENAME = "vault.vault"


def data_dir() -> Path:
    import platformdirs  # small, but only needed when no path was given

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_vault_path() -> Path:
    """``$VAULT_APP_VAULT`` if set, else ``vault.vault`` in the user data folder."""
    configured = os.environ.get(VAULT_ENV)
    if configured:
        return Path(configured).expanduser()
    return data_dir() / DEFAULT_FILENAME
