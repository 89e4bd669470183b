"""The search query as typed: words, each engine's syntax, cursors. Plain strings, no database."""

import pytest

from parley.core.errors import InvalidInput
from parley.search.query import (
    MAX_QUERY_CHARS,
    MAX_WORDS,
    decode_cursor,
    encode_cursor,
    parse_query,
)


def test_words_are_split_on_white_space_lower_cased_and_kept_once():
    assert parse_query("  Search\tTHE\nsearch  indexes ").words == ("search", "the", "indexes")


def test_words_under_three_characters_are_ignored_while_others_remain():
    assert parse_query("a to the be code").words == ("the", "code")


def test_characters_are_counted_as_code_points():
    assert parse_query("ünï éé").words == ("ünï",)


@pytest.mark.parametrize("q", ["", "   ", "a b to", "é ü"])
def test_a_query_without_a_word_of_three_characters_is_invalid(q):
    with pytest.raises(InvalidInput):
        parse_query(q)


def test_nul_is_invalid():
    with pytest.raises(InvalidInput):
        parse_query("search\x00")


def test_length_and_word_count_are_capped():
    parse_query("x" * MAX_QUERY_CHARS)
    with pytest.raises(InvalidInput):
        parse_query("x" * (MAX_QUERY_CHARS + 1))
    words = [f"word{n}" for n in range(MAX_WORDS + 1)]
    parse_query(" ".join(words[:MAX_WORDS]))
    with pytest.raises(InvalidInput):
        parse_query(" ".join(words))


def test_fts5_words_are_quoted_strings_anded():
    words = parse_query('say "hi" NEAR(abc) x*y* --- ')
    assert words.fts5_match() == '"say" AND """hi""" AND "near(abc)" AND "x*y*" AND "---"'


def test_like_patterns_escape_wildcards_and_the_escape_character():
    words = parse_query(r"50%_off back\slash plain")
    assert words.like_patterns() == (r"%50\%\_off%", r"%back\\slash%", "%plain%")


def test_cursor_round_trip():
    for item_id in (1, 42, 2**63 - 1):
        cursor = encode_cursor(item_id)
        assert cursor.isascii() and "=" not in cursor
        assert decode_cursor(cursor) == item_id


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "42",
        "not base64 !",
        "aTA",  # "i0"
        encode_cursor(1) + "A",
        "aS0x",  # "i-1"
        "x" * 1000,
        "\x00",
        "aTEy\n",
    ],
)
def test_a_cursor_the_server_did_not_give_is_invalid(cursor):
    with pytest.raises(InvalidInput):
        decode_cursor(cursor)
