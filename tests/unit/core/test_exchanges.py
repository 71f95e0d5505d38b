"""The exchange catalog: lookups, and that resources/exchanges.json matches ccxt.

ccxt is never imported into this process (other tests check that the core does
not load it); the ccxt side runs in a subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSWORD, REPO, make_entry
from vault_app.core.errors import ValidationError
from vault_app.core.exchanges import (
    CREDENTIAL_NAMES,
    CREDENTIAL_TITLES,
    SECRET_CREDENTIALS,
    load_catalog,
)
from vault_app.core.vault import Vault
from vault_app.resources import resource_path

CATALOG = load_catalog()


def test_catalog_lookup() -> None:
    okx = CATALOG.get("okx")
    assert okx.id == "okx" and okx.name == "OKX"
    assert okx.required == ("apiKey", "secret", "password")
    assert CATALOG.get("binance").required == ("apiKey", "secret")
    assert CATALOG.get("binance").pem_secret is True
    assert CATALOG.get("okx").pem_secret is False
    assert "okx" in CATALOG
    assert "OKX" not in CATALOG  # ids are lower case; callers normalise
    assert "nope" not in CATALOG
    assert load_catalog() is CATALOG  # parsed once


@pytest.mark.parametrize(("typo", "suggested"), [("binanse", "binance"), ("kraaken", "kraken"),
                                                 ("OKX", "okx")])
def test_unknown_exchange_suggests_close_matches(typo: str, suggested: str) -> None:
    with pytest.raises(ValidationError) as info:
        CATALOG.get(typo)
    message = str(info.value)
    assert info.value.field == "exchange"
    assert f"unknown exchange '{typo}'" in message
    assert "did you mean" in message and suggested in message
    assert CATALOG.ccxt_version in message


def test_unknown_exchange_without_a_close_match_has_no_suggestion() -> None:
    with pytest.raises(ValidationError) as info:
        CATALOG.get("zzzzzzzzzzzz")
    assert "did you mean" not in str(info.value)


def test_every_required_credential_is_known_and_in_ccxt_order() -> None:
    for info in CATALOG.exchanges.values():
        positions = [CREDENTIAL_NAMES.index(name) for name in info.required]
        assert positions == sorted(positions), info.id
    assert set(CREDENTIAL_TITLES) == set(CREDENTIAL_NAMES)
    assert set(SECRET_CREDENTIALS) < set(CREDENTIAL_NAMES)
    assert "apiKey" not in SECRET_CREDENTIALS and "secret" in SECRET_CREDENTIALS


def test_catalog_ids_are_unique_and_sorted() -> None:
    raw = json.loads(resource_path("exchanges.json").read_text(encoding="utf-8"))
    ids = [item["id"] for item in raw["exchanges"]]
    assert ids == sorted(set(ids))
    assert len(ids) == len(CATALOG.exchanges) > 50


_CCXT_DUMP = textwrap.dedent("""
    import json, ccxt
    exchanges = {}
    for exchange_id in ccxt.exchanges:
        exchange = getattr(ccxt, exchange_id)()
        urls = exchange.urls or {}
        exchanges[exchange_id] = {
            "name": str(exchange.name),
            "required": [k for k, v in exchange.requiredCredentials.items() if v],
            # set_sandbox_mode(True) needs a real test URL, not a None placeholder
            "sandbox": bool(urls.get("test")),
            "credential_names": list(exchange.requiredCredentials),
        }
    print(json.dumps({"version": ccxt.__version__,
                      "names": list(ccxt.Exchange.requiredCredentials),
                      "exchanges": exchanges}))
""")


@pytest.fixture(scope="module")
def ccxt_facts() -> dict[str, object]:
    proc = subprocess.run([sys.executable, "-c", _CCXT_DUMP], capture_output=True, text=True,
                          timeout=120, cwd=REPO, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def test_catalog_is_from_the_installed_ccxt_version(ccxt_facts: dict) -> None:
    assert CATALOG.ccxt_version == ccxt_facts["version"]
    assert tuple(ccxt_facts["names"]) == CREDENTIAL_NAMES


def test_catalog_ids_names_and_credentials_match_ccxt(ccxt_facts: dict) -> None:
    real = ccxt_facts["exchanges"]
    assert sorted(CATALOG.exchanges) == sorted(real)
    for exchange_id, info in CATALOG.exchanges.items():
        assert info.name == real[exchange_id]["name"], exchange_id
        assert list(info.required) == real[exchange_id]["required"], exchange_id
        assert real[exchange_id]["credential_names"] == list(CREDENTIAL_NAMES), exchange_id


def test_catalog_sandbox_flags_match_ccxt(ccxt_facts: dict) -> None:
    real = ccxt_facts["exchanges"]
    wrong = sorted(
        exchange_id for exchange_id, info in CATALOG.exchanges.items()
        if info.has_sandbox != real[exchange_id]["sandbox"]
    )
    assert wrong == [], f"{len(wrong)} exchanges have the wrong sandbox flag: {wrong}"


def test_the_core_and_cli_never_import_ccxt_or_qt(vault_path: Path) -> None:
    """Opening and listing a vault through the CLI loads neither ccxt nor Qt."""
    vault = Vault.create(vault_path, PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
    vault.add(make_entry("k"))
    script = textwrap.dedent(f"""
        import io, json, sys
        from vault_app import cli
        import vault_app.core.vault, vault_app.core.model, vault_app.core.schema
        out = io.StringIO()
        code = cli.main(["--vault", {str(vault_path)!r}, "list", "--json"],
                        stdin=io.StringIO({PASSWORD!r} + "\\n"), stdout=out,
                        stderr=io.StringIO())
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("ccxt", "PySide6"))
        print(json.dumps({{"code": code, "heavy": heavy, "out": out.getvalue()}}))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, cwd=REPO, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert result["code"] == 0
    assert json.loads(result["out"])[0]["label"] == "k"
    assert result["heavy"] == []


def ids_found(text: str) -> list[str]:
    return [info.id for info in CATALOG.search(text)]


@pytest.mark.parametrize(("text", "expected"), [
    # exact id first, then prefixes of an id or a name, then mere substrings
    ("okx", ["okx", "okxus", "myokx"]),
    ("OKX", ["okx", "okxus", "myokx"]),
    ("  okx ", ["okx", "okxus", "myokx"]),
    ("binance", ["binance", "binancecoinm", "binanceus", "binanceusdm"]),
    # exact id beats a same-prefix name; the others tie on rank and go by name
    ("coinbase", ["coinbase", "coinbaseexchange", "coinbaseinternational"]),
    ("kraken", ["kraken", "krakenfutures"]),
    ("kraken futures", ["krakenfutures"]),  # an exact name
    ("eea", ["myokx"]),  # a word of the name: "MyOKX (EEA)"
    ("usds", ["binanceusdm"]),  # the plain spelling of "USD\u24c8-M"
])
def test_search_ranks_exact_then_prefix_then_substring(text: str, expected: list[str]) -> None:
    assert ids_found(text) == expected


def test_search_with_no_text_lists_every_exchange_by_name() -> None:
    found = CATALOG.search("   ")
    assert len(found) == len(CATALOG.exchanges)
    assert [info.name.casefold() for info in found] == sorted(
        info.name.casefold() for info in CATALOG.exchanges.values())
    assert CATALOG.search("no such exchange at all") == []


def test_plain_name_folds_symbols_missing_from_many_fonts() -> None:
    assert CATALOG.get("binanceusdm").name == "Binance USD\u24c8-M"  # as ccxt spells it
    assert CATALOG.get("binanceusdm").plain_name == "Binance USDS-M"
    assert CATALOG.get("okx").plain_name == "OKX"
    assert all(info.plain_name.isascii() for info in CATALOG.exchanges.values())


def test_pem_and_private_keys_are_multiline_credentials() -> None:
    assert CATALOG.get("binance").multiline_credential("secret")
    assert CATALOG.get("coinbase").multiline_credential("secret")
    assert not CATALOG.get("binance").multiline_credential("apiKey")
    assert not CATALOG.get("okx").multiline_credential("secret")
    assert CATALOG.get("revolutx").multiline_credential("privateKey")
    assert CATALOG.get("hyperliquid").multiline_credential("privateKey")
