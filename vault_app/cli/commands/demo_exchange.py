"""``demo-exchange`` runs the Binance-compatible demo exchange in the foreground."""

from __future__ import annotations

import argparse
import signal
import threading
import time

from vault_app.cli.base_command import Command
from vault_app.cli.status_codes import EXIT_OK, PROG
from vault_app.core.errors import VaultError

DEFAULT_PORT = 8765
"""Fixed, like the seed: the keys a user added (with this URL) work after a restart."""


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


class DemoExchangeCommand(Command):
    name = "demo-exchange"
    summary = "run a local Binance-compatible demo exchange (no vault needed)"

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--port", type=_port, default=DEFAULT_PORT, metavar="N",
                            help=f"port on 127.0.0.1 (default {DEFAULT_PORT}, so a restart "
                                 "keeps the keys' API URL; 0 picks a free one)")
        parser.add_argument("--seed", type=int, default=0, metavar="N",
                            help="seed of the demo keys and the simulated prices (default "
                                 "0): the same seed gives the same keys after a restart")

    def run(self) -> int:
        from vault_app.trading.demo_exchange import DemoExchange, ReceivedRequest

        def show(request: ReceivedRequest, status: int) -> None:
            stamp = time.strftime("%H:%M:%S", time.localtime(request.time))
            try:  # on a server thread: a closed stdout must not stop the answer
                self.say(f"{stamp} {request.method} {request.path} {status}")
                self.out.flush()
            except (OSError, ValueError, VaultError):
                pass

        stop = threading.Event()
        demo = DemoExchange(seed=self.args.seed, port=self.args.port, on_request=show,
                            log_limit=1000)
        demo.start()
        main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, lambda _n, _f: stop.set()) \
            if main_thread else None
        try:
            self._introduce(demo.url, demo.read_key.api_key, demo.read_key.secret,
                            demo.trading_key.api_key, demo.trading_key.secret)
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            if main_thread:
                signal.signal(signal.SIGTERM, previous)
            demo.stop()
        self.say("Demo exchange stopped.")
        return EXIT_OK

    def _introduce(self, url: str, read_key: str, read_secret: str, trade_key: str,
                   trade_secret: str) -> None:
        self.say(f"Demo exchange (Binance API, spot) listening on {url}")
        self.say("Markets: BTC/USDT, ETH/USDT, ETH/BTC. Each key holds 100000 USDT, 1 BTC, "
                 "10 ETH.")
        self.say(f"These demo keys work only here. They come from --seed "
                 f"{self.args.seed}: after a restart with the same seed (and port) they "
                 "work again, with balances and orders started afresh.")
        self.say("")
        for title, label, permissions, key, secret in (
                ("Read-only key", "demo read", "read", read_key, read_secret),
                ("Trading key", "demo trading", "read,trade", trade_key, trade_secret)):
            self.say(f"{title}:")
            self.say(f"  API key: {key}")
            self.say(f"  Secret:  {secret}")
            self.say("  Add it to your vault (the key and the secret are prompted; paste "
                     "them there):")
            self.say(f"    {PROG} add --exchange binance --label '{label}' "
                     f"--permissions {permissions} --api-url {url}")
            self.say("")
        self.say("Press Ctrl-C to stop.")
        self.out.flush()

