"""The answering benchmark: a labelled set of officers' questions run through the bot's own `Index`.

Run with `make bench` or `python -m bench`; see bench/README.md for the set and the split discipline.
"""
