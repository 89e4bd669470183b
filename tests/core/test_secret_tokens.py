"""The one rule for secret tokens (parley/core/secret_tokens.py): access tokens, webhook URLs and
invitation links are made, parsed and compared by it."""

import pytest

from parley.core.secret_tokens import (
    LOWER_CASE,
    TokenFormat,
    token_digest,
    token_matches,
)

ACCESS = TokenFormat("parley_")
WEBHOOK = TokenFormat("", alphabet=LOWER_CASE)


def test_a_new_token_carries_its_prefix_and_parses_back_to_it():
    prefix, raw = ACCESS.new()
    assert raw.startswith(f"parley_{prefix}_")
    assert len(prefix) == 12
    assert len(raw) == len("parley_") + 12 + 1 + 43
    assert ACCESS.prefix_of(raw) == prefix


def test_two_new_tokens_differ_in_prefix_and_secret():
    (p1, r1), (p2, r2) = ACCESS.new(), ACCESS.new()
    assert p1 != p2
    assert r1.split("_")[-1] != r2.split("_")[-1]


def test_a_lowercase_format_makes_lowercase_prefixes_and_refuses_uppercase_ones():
    prefix, raw = WEBHOOK.new()
    assert prefix == prefix.lower()
    assert WEBHOOK.prefix_of(raw) == prefix
    assert WEBHOOK.prefix_of("ABCDEFGHIJKL" + raw[12:]) is None


@pytest.mark.parametrize(
    "presented",
    [None, 42, "", "parley_", "parley_abc_def", "\x00", "x" * 10_000],
)
def test_anything_not_exactly_of_the_format_has_no_prefix(presented):
    assert ACCESS.prefix_of(presented) is None


def test_a_token_with_a_trailing_newline_or_another_label_has_no_prefix():
    _, raw = ACCESS.new()
    assert ACCESS.prefix_of(raw + "\n") is None
    assert TokenFormat("invite_").prefix_of(raw) is None


def test_with_prefix_keeps_the_prefix_and_changes_the_secret():
    prefix, raw = WEBHOOK.new()
    again = WEBHOOK.with_prefix(prefix)
    assert WEBHOOK.prefix_of(again) == prefix
    assert again != raw


def test_only_the_digest_of_the_same_token_matches():
    _, raw = ACCESS.new()
    stored = token_digest(raw)
    assert len(stored) == 64
    assert raw not in stored
    assert token_matches(raw, stored)
    assert not token_matches(raw[:-1] + ("A" if raw[-1] != "A" else "B"), stored)
