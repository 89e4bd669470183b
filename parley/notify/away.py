"""Who is away, asked from the push worker's own thread.

Presence is kept by each event loop's hub (parley/realtime/hub.py); with REDIS_URL its store
is shared by every process, so any hub answers for all of them. The worker hands the question
to each running hub's loop and waits a moment for the answer; a process with no hub yet (no
socket has opened in it) reads the shared store itself, or, without Redis, knows that nobody
is connected.

Away means offline (no open socket, once the presence grace after the last one has passed), or,
with PARLEY_PUSH["PUSH_WHEN_IDLE"], idle: every socket of theirs says its tab has not been used
for 5 minutes (docs/protocol.md, "Idle").
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from django.conf import settings

from parley.realtime.hub import running_hubs
from parley.realtime.presence import Status

log = logging.getLogger(__name__)

# A hub's loop answers within this, or the question is taken as unanswered (everyone away:
# a push too many is better than a notification lost).
ASK_SECONDS = 2.0
READER_PROCESS = "push-reader"

_readers: dict[asyncio.AbstractEventLoop, object] = {}


async def _from_store(user_ids: list[int]) -> dict[int, Status]:
    from parley.realtime.presence.redis_store import RedisPresenceStore

    loop = asyncio.get_running_loop()
    reader = _readers.get(loop)
    if not isinstance(reader, RedisPresenceStore):
        config = settings.PARLEY
        reader = RedisPresenceStore(
            settings.REDIS_URL,
            prefix=config["PRESENCE_KEY_PREFIX"],
            process=READER_PROCESS,
            ttl=config["PRESENCE_TTL_SECONDS"],
            reap_every=config["PRESENCE_REAP_SECONDS"],
        )
        _readers[loop] = reader
    return await reader.statuses(user_ids)


async def statuses(user_ids: Sequence[int]) -> dict[int, Status]:
    """Each user's presence as this process's hubs (or the shared store) know it."""
    ids = list(user_ids)
    found = dict.fromkeys(ids, Status.OFFLINE)
    if not ids:
        return found
    answers: list[dict[int, Status]] = []
    hubs = running_hubs()
    try:
        if hubs:
            for loop, hub in hubs:
                future = asyncio.run_coroutine_threadsafe(hub.presence_of(ids), loop)
                answers.append(await asyncio.wait_for(asyncio.wrap_future(future), ASK_SECONDS))
        elif settings.REDIS_URL:
            answers.append(await asyncio.wait_for(_from_store(ids), ASK_SECONDS))
    except Exception:
        log.warning("presence unknown for a push; taking everyone as away", exc_info=True)
        return found
    for answer in answers:
        for uid in ids:
            found[uid] = found[uid].combine(answer.get(uid, Status.OFFLINE))
    return found


async def away_among(user_ids: Sequence[int]) -> set[int]:
    """The users of `user_ids` who are away (module docstring)."""
    push_when_idle = settings.PARLEY_PUSH["PUSH_WHEN_IDLE"]
    return {
        uid
        for uid, status in (await statuses(user_ids)).items()
        if status is Status.OFFLINE or (push_when_idle and status is Status.IDLE)
    }
