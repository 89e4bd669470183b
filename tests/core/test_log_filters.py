"""settings.LOGGING's filter of uvicorn's per-socket lines (parley/core/log_filters.py)."""

import logging

from parley.core.log_filters import DropSocketLines


def _record(msg: str, *args, level: int = logging.INFO) -> logging.LogRecord:
    return logging.LogRecord("uvicorn.error", level, __file__, 1, msg, args, None)


def test_uvicorn_per_socket_info_lines_are_dropped():
    keep = DropSocketLines().filter
    assert not keep(_record('%s - "WebSocket %s" [accepted]', "127.0.0.1:5", "/ws/"))
    assert not keep(_record("connection open"))
    assert not keep(_record("connection closed"))


def test_refusals_startup_lines_and_other_levels_pass():
    keep = DropSocketLines().filter
    assert keep(_record('%s - "WebSocket %s" %d', "127.0.0.1:5", "/ws/", 403))
    assert keep(_record("Uvicorn running on %s://%s:%d (Press CTRL+C to quit)", "http", "h", 1))
    assert keep(_record("connection open", level=logging.WARNING))


def test_the_filter_is_on_uvicorns_logger():
    filters = logging.getLogger("uvicorn.error").filters
    assert any(isinstance(f, DropSocketLines) for f in filters)
