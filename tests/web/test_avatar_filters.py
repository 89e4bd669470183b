"""The avatar of the rows the server renders matches the one static/parley/js/avatar.js gives the
rows the page adds later (tests/js/message_groups.test.mjs checks the same numbers)."""

from parley.web.templatetags.parley_avatar import avatar_colour, avatar_initial


def test_the_initial_is_the_first_letter_in_capitals() -> None:
    assert avatar_initial("ada") == "A"
    assert avatar_initial("élodie") == "É"
    assert avatar_initial("") == "?"
    assert avatar_initial(None) == "?"


def test_the_colour_is_the_same_hash_as_the_page_uses() -> None:
    assert avatar_colour("ada") == ((97 * 31 + 100) * 31 + 97) % 2**32 % 8
    # Long names wrap modulo 2**32 as JavaScript's >>> 0 does.
    name = "a-rather-long-username-that-overflows"
    value = 0
    for char in name:
        value = (value * 31 + ord(char)) & 0xFFFFFFFF
    assert avatar_colour(name) == value % 8
    assert 0 <= avatar_colour(None) < 8
