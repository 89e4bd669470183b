"""What the tests share: one socket client (socket.py), data made through the services for async
tests (data.py), sessions (sessions.py), fake clocks and rate limits (clock.py, rate_limits.py),
and threads that write at once (threads.py). The fixtures built on them are in the conftest.py
files; tests/factories.py builds rows for sync tests.

The live-server clients (tests/e2e/live.py, tests/e2e/resilient_client.py) talk to real server
processes over the network: a different transport, kept with the e2e tests.
"""
