"""The vault core: plain Python, no Qt, no ccxt. Both front ends stand on it."""
