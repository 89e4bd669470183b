"""Lookups that wait at the same time, answered by one call (parley.realtime.batched_lookup)."""

import asyncio

import pytest

from parley.realtime.batched_lookup import BatchedLookup


class Recorder:
    """A batch function that records the batches it is given and answers each key in upper
    case (a key starting with "bad" gets an error of its own). `started` is set by the first
    batch; `release` holds calls back."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.started = asyncio.Event()  # a batch came
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, keys: list[str]) -> dict[str, object]:
        self.batches.append(keys)
        self.started.set()
        await self.release.wait()
        return {key: ValueError(key) if key.startswith("bad") else [key.upper()] for key in keys}


def _lookup(recorder, *, batch_size=500, in_flight=1) -> BatchedLookup:
    return BatchedLookup(
        recorder,
        batch_size=lambda: batch_size,
        in_flight=lambda: in_flight,
        copy_answer=list,  # the answers are lists: a copy is a new list
    )


async def test_lookups_that_wait_together_are_one_call_and_a_key_asked_twice_is_read_once():
    recorder = Recorder()
    lookup = _lookup(recorder)

    answers = await asyncio.gather(*(lookup(key) for key in ["a", "b", "a", "c"]))

    assert answers == [["A"], ["B"], ["A"], ["C"]]
    assert recorder.batches == [["a", "b", "c"]]
    assert answers[0] is not answers[2]  # each caller its own answer


async def test_lookups_arriving_while_a_batch_is_in_flight_wait_for_the_next_one():
    recorder = Recorder()
    recorder.release.clear()
    lookup = _lookup(recorder, batch_size=2, in_flight=1)
    first = [asyncio.ensure_future(lookup(key)) for key in ["a", "b", "c"]]
    await recorder.started.wait()
    later = [asyncio.ensure_future(lookup(key)) for key in ["d", "e"]]
    recorder.release.set()

    assert await asyncio.gather(*first, *later) == [["A"], ["B"], ["C"], ["D"], ["E"]]
    # At most two keys a call, one call at a time: what waited meanwhile went together.
    assert recorder.batches == [["a", "b"], ["c", "d"], ["e"]]


async def test_an_error_for_one_key_is_its_caller_s_and_an_error_of_the_call_everyone_s():
    recorder = Recorder()
    lookup = _lookup(recorder)
    answers = await asyncio.gather(lookup("a"), lookup("bad"), return_exceptions=True)
    assert answers[0] == ["A"] and isinstance(answers[1], ValueError)

    async def broken(keys):
        raise RuntimeError("the database is down")

    lookup = _lookup(broken)
    answers = await asyncio.gather(lookup("a"), lookup("b"), return_exceptions=True)
    assert [type(answer) for answer in answers] == [RuntimeError, RuntimeError]
    assert await _lookup(recorder)("c") == ["C"]  # and the next batch goes on


async def test_a_caller_that_leaves_leaves_the_others_answers_alone():
    recorder = Recorder()
    recorder.release.clear()
    lookup = _lookup(recorder)
    leaving = asyncio.ensure_future(lookup("a"))
    staying = [asyncio.ensure_future(lookup(key)) for key in ["a", "b"]]
    await recorder.started.wait()
    leaving.cancel()
    recorder.release.set()

    assert await asyncio.gather(*staying) == [["A"], ["B"]]
    with pytest.raises(asyncio.CancelledError):
        await leaving
