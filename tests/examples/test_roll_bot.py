"""The example bot's command parsing (examples/roll_bot.py); its round trip is in tests/e2e."""

import importlib.util
import random

import pytest

from tests.e2e.live import ROOT

spec = importlib.util.spec_from_file_location("roll_bot", ROOT / "examples" / "roll_bot.py")
roll_bot = importlib.util.module_from_spec(spec)
spec.loader.exec_module(roll_bot)


@pytest.mark.parametrize(
    ("body", "dice", "sides"), [("/roll 2d6", 2, 6), ("/roll", 1, 6), ("/ROLL d20", 1, 20)]
)
def test_a_roll_shows_each_die_and_the_total_in_range(body, dice, sides):
    for seed in range(50):
        answer = roll_bot.roll_answer(body, rng=random.Random(seed))
        head, total = answer.split(" = ")
        values = [int(v) for v in head.split(": ")[1].split(" + ")]
        assert head.startswith(f"🎲 {dice}d{sides}: ")
        assert len(values) == dice and all(1 <= v <= sides for v in values)
        assert total == f"**{sum(values)}**"


@pytest.mark.parametrize("body", ["/roll 0d6", "/roll 2d1", "/roll 101d6", "/roll two dice"])
def test_a_bad_roll_is_answered_with_the_usage(body):
    assert roll_bot.roll_answer(body) == roll_bot.USAGE


@pytest.mark.parametrize("body", ["hello", "/rolling", "roll 2d6", "a /roll 2d6"])
def test_other_messages_are_not_answered(body):
    assert roll_bot.roll_answer(body) is None


def test_the_usage_is_no_command_so_bots_cannot_loop():
    assert roll_bot.roll_answer(roll_bot.USAGE) is None
