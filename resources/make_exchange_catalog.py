"""Regenerate resources/exchanges.json from the installed ccxt.

Run with the project's venv: ``.venv/bin/python resources/make_exchange_catalog.py``.
The app reads the JSON so that it never has to import all of ccxt (0.4 s, 80 MB)
to show an exchange picker or validate a key.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# Exchanges whose `secret` may be a PEM private key: Binance accepts Ed25519 and
# RSA keys, Coinbase Advanced issues EC (ES256) keys.
PEM_SECRET = {"binance", "binanceus", "binanceusdm", "binancecoinm", "coinbase"}


def build() -> dict[str, object]:
    import ccxt

    exchanges = []
    for exchange_id in sorted(ccxt.exchanges):
        exchange = getattr(ccxt, exchange_id)()
        required = [name for name, needed in exchange.requiredCredentials.items() if needed]
        exchanges.append({
            "id": exchange_id,
            "name": str(exchange.name),
            "required": required,
            # ccxt lists a "test" URL key for every exchange; it is None where no sandbox exists
            "sandbox": bool((exchange.urls or {}).get("test")),
            "pem_secret": exchange_id in PEM_SECRET,
        })
    return {"ccxt_version": ccxt.__version__, "exchanges": exchanges}


def main() -> int:
    out = Path(__file__).resolve().parent / "exchanges.json"
    out.write_text(json.dumps(build(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
