"""Signed requests written by hand, outside ccxt (no rounding, no checks of its own)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any

from vault_app.trading.demo_exchange import DemoExchange, DemoKey


def call(demo: DemoExchange, method: str, path: str, query: str = "", body: str = "", *,
         key: DemoKey | None = None) -> tuple[int, Any]:
    """(HTTP status, JSON answer). The timestamp and the signature are appended to the
    body if there is one, else to the query; the signature covers query then body."""
    key = key or demo.trading_key
    stamp = f"timestamp={int(time.time() * 1000)}"
    if body:
        body = f"{body}&{stamp}"
    else:
        query = f"{query}&{stamp}" if query else stamp
    signature = hmac.new(key.secret.encode(), (query + body).encode(),
                         hashlib.sha256).hexdigest()
    if body:
        body += f"&signature={signature}"
    else:
        query += f"&signature={signature}"
    request = urllib.request.Request(f"{demo.url}{path}?{query}", method=method,
                                     data=body.encode() if body else None,
                                     headers={"X-MBX-APIKEY": key.api_key})
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read())
