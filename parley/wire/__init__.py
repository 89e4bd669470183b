"""The wire: every frame Parley sends or accepts, and nothing else. Pure: no Django, no I/O.

- `commands`: a client's text frame in, a typed command out (or a FrameError).
- `frames`: typed values in, the server's frames out, each built here and nowhere else.
- `values`: the typed values the domain hands over (an item, an attachment).
- `codes`: the close codes; the error codes come from the catalogue in parley.core.errors.

The domain (parley.rooms, parley.accounts) builds values and emits typed changes; the adapters
(parley.realtime, parley.web) turn them into frames with this package. It imports nothing of
Parley but parley.core, and nothing imports upward into it (`make lint` checks both).
"""
