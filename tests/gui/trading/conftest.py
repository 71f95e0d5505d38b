"""Trading GUI tests load ccxt (one exchange), on purpose."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _never_import_ccxt() -> Iterator[None]:
    """Overrides the GUI-wide guard: the trading view loads the key's exchange."""
    yield
