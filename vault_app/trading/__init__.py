"""The trading half: ccxt clients per key, orders, the order journal, the demo exchange.

Nothing here imports Qt, and nothing imports ccxt at module level: ``loader`` loads
the one exchange class a key needs, when it is needed.
"""
