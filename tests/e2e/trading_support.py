"""Shared by the trading end-to-end tests: the demo exchange in a thread, a vault whose
keys point at it, and the CLI run as a subprocess with the master password on stdin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FAST_KDF, PASSWORD, REPO, CliResult
from vault_app.core.exchanges import load_catalog
from vault_app.core.model import KeyEntry, new_entry
from vault_app.core.vault import Vault
from vault_app.trading.demo_exchange import DemoExchange, DemoKey, ReceivedRequest

ORDER_PATH = "/api/v3/order"


def demo_entry(demo: DemoExchange, label: str, key: DemoKey, permissions: tuple[str, ...],
               *, secret: str | None = None, **fields: Any) -> KeyEntry:
    return new_entry(label=label, exchange="binance", catalog=load_catalog(),
                     permissions=permissions, environment="custom", api_url=demo.url,
                     credentials={"apiKey": key.api_key, "secret": secret or key.secret},
                     **fields)


@dataclass
class Desk:
    """A demo exchange, a vault with a ``trader`` (read, trade) and a ``watcher`` (read)
    key on it, and the CLI."""

    demo: DemoExchange
    vault: Vault
    path: Path

    def cli(self, *args: str, stdin: str | None = None, new_session: bool = False,
            timeout: float = 60) -> CliResult:
        env = dict(os.environ)
        env["VAULT_APP_VAULT"] = str(self.path)
        proc = subprocess.run(
            [sys.executable, "-m", "vault_app.cli", *args],
            input=f"{PASSWORD}\n" if stdin is None else stdin, capture_output=True,
            text=True, env=env, timeout=timeout, cwd=REPO, start_new_session=new_session,
        )
        return CliResult(proc)

    def cli_json(self, *args: str) -> Any:
        result = self.cli(*args, "--json")
        assert result.code == 0, result
        return json.loads(result.out)

    def order_posts(self) -> list[ReceivedRequest]:
        return [r for r in self.demo.requests if r.method == "POST" and r.path == ORDER_PATH]

    def requests_since(self, count: int) -> list[str]:
        return [f"{r.method} {r.path}" for r in self.demo.requests[count:]]


@pytest.fixture
def demo() -> Iterator[DemoExchange]:
    with DemoExchange(seed=1) as exchange:
        yield exchange


@pytest.fixture
def desk(demo: DemoExchange, vault_path: Path) -> Desk:
    vault = Vault.create(vault_path, PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
    vault.add(demo_entry(demo, "trader", demo.trading_key, ("read", "trade")))
    vault.add(demo_entry(demo, "watcher", demo.read_key, ("read",)))
    return Desk(demo, vault, vault_path)


def warm(desk: Desk) -> int:
    """Load the trader's markets into the disk cache (``order list`` does, through the
    client); returns how many requests the server has had so far."""
    result = desk.cli("balance", "--key", "trader")
    assert result.code == 0, result
    return len(desk.demo.requests)


Run = Callable[..., CliResult]
