"""An error as the sentence a dialog or the status bar shows."""

from __future__ import annotations

from vault_app.core import errors


def error_message(exc: BaseException) -> str:
    if isinstance(exc, errors.VaultError):
        text = str(exc)
        return text[:1].upper() + text[1:]
    if isinstance(exc, MemoryError):
        return ("Out of memory. Nothing was written; the vault file is intact. "
                "Close other programs and try again.")
    return f"Unexpected error ({type(exc).__name__}). The vault file was not damaged."
