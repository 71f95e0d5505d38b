"""Only ``trading/loader.py`` imports ccxt, and no trading module does so at import time."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.e2e.test_imports import imports

TRADING = REPO / "vault_app" / "trading"
FILES = sorted(TRADING.rglob("*.py"))


def test_the_trading_modules_are_found() -> None:
    assert {"loader.py", "client.py", "markets_cache.py", "errors.py"} <= {f.name for f in FILES}


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_ccxt_is_imported_only_by_the_loader_and_only_when_called(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    at_import = [name for _, name in imports(source, module_level_only=True)
                 if name.split(".")[0] == "ccxt"]
    assert at_import == []
    anywhere = [name for _, name in imports(source, module_level_only=False)
                if name.split(".")[0] == "ccxt"]
    if path.name == "loader.py":  # ccxt.base modules by name; exchanges by a checked id
        assert all(name.startswith("ccxt.base.") for name in anywhere), anywhere
    else:
        assert anywhere == []
