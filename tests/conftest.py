"""Fixtures shared by every test.

No test touches the real home: HOME and the XDG folders point into tmp_path,
and $VAULT_APP_VAULT points at a per-test vault path. Vaults made by fixtures
use FAST_KDF; the production default is exercised by a few tests marked slow
and by the benchmarks.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from vault_app.core.exchanges import load_catalog
from vault_app.core.kdf import KdfParams
from vault_app.core.model import KeyEntry, new_entry
from vault_app.core.vault import Vault

PASSWORD = "correct horse battery staple"
FAST_KDF = KdfParams(memory_kib=64, iterations=1, parallelism=1)
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("VAULT_APP_VAULT", str(tmp_path / "vault.vault"))
    monkeypatch.delenv("VAULT_APP_CACHE_DIR", raising=False)  # the cache goes under HOME too
    return home


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    return tmp_path / "vault.vault"


@pytest.fixture
def fast_kdf() -> KdfParams:
    return FAST_KDF


def make_entry(label: str = "OKX main", exchange: str = "okx", **fields: object) -> KeyEntry:
    """A valid entry; credentials default to what the exchange requires."""
    catalog = load_catalog()
    if "credentials" not in fields:
        required = catalog.get(exchange).required
        fields["credentials"] = {name: f"{name}-{label}-value" for name in required}
    return new_entry(label=label, exchange=exchange, catalog=catalog, **fields)  # type: ignore[arg-type]


@pytest.fixture
def new_vault(vault_path: Path) -> Callable[..., Vault]:
    """Create a fast-KDF vault at ``vault_path`` holding ``count`` keys."""

    def create(count: int = 0, path: Path | None = None) -> Vault:
        vault = Vault.create(path or vault_path, PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
        for index in range(count):
            vault.add(make_entry(label=f"key {index}", exchange="binance"))
        return vault

    return create


@pytest.fixture
def vault(new_vault: Callable[..., Vault]) -> Vault:
    return new_vault(count=2)


class CliResult:
    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def __repr__(self) -> str:
        return f"CliResult(code={self.code}, out={self.out!r}, err={self.err!r})"


@pytest.fixture
def cli(vault_path: Path) -> Iterator[Callable[..., CliResult]]:
    """Run ``vault-app-cli`` as a real subprocess; ``stdin`` lines feed the prompts."""

    def run(*args: str, stdin: str = "", vault: Path | None = None,
            timeout: float = 60) -> CliResult:
        env = dict(os.environ)
        env["VAULT_APP_VAULT"] = str(vault or vault_path)
        proc = subprocess.run(
            [sys.executable, "-m", "vault_app.cli", *args],
            input=stdin, capture_output=True, text=True, env=env, timeout=timeout,
            cwd=REPO,
        )
        return CliResult(proc)

    yield run
