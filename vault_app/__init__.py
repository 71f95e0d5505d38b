"""Key vault and trading console for crypto-exchange API keys."""

__version__ = "0.1.0"
APP_NAME = "vault-app"
