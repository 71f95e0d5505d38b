"""Load one ccxt exchange class without ``import ccxt`` (which imports all ~105).

``ccxt/__init__.py`` imports every exchange module: about 80 MB and 0.4 s. An
exchange module itself (``ccxt/binance.py``) imports only ``ccxt.base.*`` and its
``ccxt.abstract.<id>``. So when ``ccxt`` is not imported yet, a *light* package
module stands in for it in ``sys.modules``: a plain module with the real package's
``__path__`` and ``__spec__`` (so ``import ccxt.binance`` finds the real files),
and a module ``__getattr__`` (PEP 562) that offers what ``ccxt/__init__.py`` offers,
on first use:

- an exchange class by id (``ccxt.okx``) imports just that exchange's module;
- the error classes, ``errors``, ``Exchange``, ``Precise`` and the
  ``decimal_to_precision`` names come from ``ccxt.base`` (already imported);
- ``__version__`` is read from ``ccxt.base.exchange``;
- anything else (``ccxt.exchanges``, ``ccxt.__all__``, ...) runs the real
  ``ccxt/__init__.py`` in the light module, once: from then on the module holds
  exactly what ``import ccxt`` would give.

``import ccxt`` later in the same process returns the light module (it is in
``sys.modules``), so code that expects the real package keeps working. If the
real package is already imported, the class is simply taken from it.
"""

from __future__ import annotations

import sys
import threading
import types
from typing import Any

from vault_app.core.errors import ValidationError
from vault_app.core.exchanges import load_catalog

PACKAGE = "ccxt"
LIGHT_MARK = "__vault_app_light__"
"""Set on the light package module, so a second load knows it is ours."""

# Names ``ccxt/__init__.py`` takes from ccxt.base (besides the error classes).
_BASE_NAMES = {
    "Exchange": "ccxt.base.exchange",
    "Precise": "ccxt.base.precise",
    "OrderRouter": "ccxt.base.order_router",
    "decimal_to_precision": "ccxt.base.decimal_to_precision",
    "TRUNCATE": "ccxt.base.decimal_to_precision",
    "ROUND": "ccxt.base.decimal_to_precision",
    "ROUND_UP": "ccxt.base.decimal_to_precision",
    "ROUND_DOWN": "ccxt.base.decimal_to_precision",
    "DECIMAL_PLACES": "ccxt.base.decimal_to_precision",
    "SIGNIFICANT_DIGITS": "ccxt.base.decimal_to_precision",
    "TICK_SIZE": "ccxt.base.decimal_to_precision",
    "NO_PADDING": "ccxt.base.decimal_to_precision",
    "PAD_WITH_ZERO": "ccxt.base.decimal_to_precision",
}

_lock = threading.RLock()


def check_exchange_id(exchange_id: object) -> str:
    """``exchange_id`` if it is a plain identifier naming an exchange of the catalog.

    Only such a name is ever turned into a module name: never "os", "../x" or
    "binance.base".
    """
    if not isinstance(exchange_id, str) or not exchange_id.isidentifier() \
            or not exchange_id.isascii() or exchange_id.startswith("_"):
        raise ValidationError(f"{exchange_id!r} is not an exchange id", field="exchange")
    load_catalog().get(exchange_id)  # ValidationError if unknown
    return exchange_id


def exchange_class(exchange_id: str) -> type:
    """The ccxt class of ``exchange_id``, loading only that exchange's module.

    Thread-safe against other calls of this function only: a real ``import ccxt`` that
    another thread runs at the same moment (outside this module's lock) may replace
    ``sys.modules['ccxt']`` midway, and this call may then return either package's
    class. The app never imports ccxt itself; a host process that does should do so
    before it starts threads that trade.

    Raises:
        ValidationError: ``exchange_id`` is not an exchange of the catalog.
    """
    check_exchange_id(exchange_id)
    with _lock:
        package = sys.modules.get(PACKAGE)
        if package is None:
            package = _install_light_package()
        cls = getattr(package, exchange_id, None)
        if isinstance(cls, types.ModuleType):  # ``import ccxt.<id>`` bound the module
            cls = getattr(cls, exchange_id, None)
            if isinstance(cls, type):
                setattr(package, exchange_id, cls)
    if not isinstance(cls, type):
        raise ValidationError(f"ccxt has no exchange class '{exchange_id}'", field="exchange")
    return cls


def is_light(module: types.ModuleType | None = None) -> bool:
    """Whether ``module`` (default: ``sys.modules['ccxt']``) is the light package."""
    module = sys.modules.get(PACKAGE) if module is None else module
    return module is not None and bool(getattr(module, LIGHT_MARK, False))


def _install_light_package() -> types.ModuleType:
    import importlib.util

    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.submodule_search_locations is None:
        raise ValidationError("ccxt is not installed", field="exchange")
    module = types.ModuleType(PACKAGE, "CCXT: CryptoCurrency eXchange Trading Library")
    module.__spec__ = spec
    module.__path__ = list(spec.submodule_search_locations)
    module.__file__ = spec.origin
    module.__package__ = PACKAGE
    module.__loader__ = spec.loader
    setattr(module, LIGHT_MARK, True)
    module.__getattr__ = _make_getattr(module)  # type: ignore[method-assign]
    sys.modules[PACKAGE] = module
    return module


def _make_getattr(module: types.ModuleType) -> Any:
    import importlib

    def load_exchange(name: str) -> type:
        submodule = importlib.import_module(f"{PACKAGE}.{name}")
        cls: type = getattr(submodule, name)
        # Importing ccxt.<name> bound the *module* to the package attribute; the real
        # __init__ binds the class (``from ccxt.binance import binance``): do the same.
        setattr(module, name, cls)
        return cls

    def complete() -> None:
        """Run the real ``ccxt/__init__.py`` in the light module: a full ``import ccxt``."""
        spec = module.__spec__
        assert spec is not None and spec.loader is not None
        code = spec.loader.get_code(PACKAGE)  # type: ignore[attr-defined]
        exec(code, module.__dict__)
        module.__dict__.pop("__getattr__", None)
        module.__dict__.pop("__dir__", None)
        setattr(module, LIGHT_MARK, False)

    def module_getattr(name: str) -> Any:
        with _lock:
            if name in module.__dict__:  # another thread got here first
                return module.__dict__[name]
            if name.startswith("__") and name != "__version__" and name != "__all__":
                raise AttributeError(f"module '{PACKAGE}' has no attribute '{name}'")
            if name in load_catalog().exchanges:
                return load_exchange(name)
            errors = importlib.import_module("ccxt.base.errors")
            if name == "errors":
                value: Any = errors
            elif name in errors.__all__:
                value = getattr(errors, name)
            elif name in _BASE_NAMES:
                value = getattr(importlib.import_module(_BASE_NAMES[name]), name)
            elif name == "__version__":
                value = importlib.import_module("ccxt.base.exchange").__version__
            else:
                complete()
                try:
                    return module.__dict__[name]
                except KeyError:
                    raise AttributeError(
                        f"module '{PACKAGE}' has no attribute '{name}'") from None
            setattr(module, name, value)
            return value

    def module_dir() -> list[str]:
        names = set(module.__dict__) | set(load_catalog().exchanges) | set(_BASE_NAMES)
        errors = sys.modules.get("ccxt.base.errors")
        names.update(getattr(errors, "__all__", ()))
        return sorted(names)

    module.__dir__ = module_dir  # type: ignore[method-assign]
    return module_getattr
