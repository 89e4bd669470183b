"""Which usernames Parley accepts besides Django's own rule: none that reads as someone else's.

`alice` spelled with a Cyrillic a (U+0430) looks exactly like `alice` in every message and member
list. A new username (sign-up, the admin) must therefore:

1. be in one script: letters of one writing system (Latin, Cyrillic, Greek, Han, ...), with
   digits and Django's `. @ + - _`; that Cyrillic-a `alice` mixes two and is refused;
2. be in Unicode's compatibility normal form (NFKC): no full-width or mathematical letters;
3. not be confusable with an existing username: equal, once each is reduced to its skeleton, to
   no other user's. The skeleton folds case and maps every character to one representative of
   the characters Unicode lists as confusable with it (Unicode TR39's confusables, as the
   `confusable_homoglyphs` package carries them), so `coco` written all in Cyrillic meets the
   Latin `coco`, and `a1ice` meets `alice`.

Scripts and confusables come from `confusable_homoglyphs` (the data django-registration's
username check uses). Existing usernames are not renamed; they only block lookalikes. The
check reads every username once (a sign-up is rare and rate limited): fine for thousands of
users; a stored skeleton column would be the next step for far more.
"""

from __future__ import annotations

import functools
import unicodedata

from confusable_homoglyphs import categories, confusables
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

# Characters in no script of their own: digits, punctuation Django allows in usernames.
NEUTRAL_SCRIPTS = {"COMMON", "INHERITED"}


@functools.lru_cache(maxsize=4096)
def _representative(char: str) -> str:
    """One character for all those confusable with `char` (itself included): the lowest."""
    lowered = char.casefold()
    if len(lowered) != 1:
        return lowered
    found = confusables.is_confusable(lowered, greedy=True)
    candidates = {lowered}
    for entry in found or ():
        candidates.update(h["c"].casefold() for h in entry["homoglyphs"] if len(h["c"]) == 1)
    return min(candidates)


def skeleton(username: str) -> str:
    """What `username` looks like, for comparison only (never shown)."""
    text = unicodedata.normalize("NFKD", username)
    text = "".join(char for char in text if not unicodedata.combining(char))
    return "".join(_representative(char) for char in text)


def scripts(username: str) -> set[str]:
    return set(categories.unique_aliases(username)) - NEUTRAL_SCRIPTS


def check_username(username: str, *, exclude_pk: int | None = None) -> None:
    """ValidationError unless `username` passes rules 1 to 3 above (`exclude_pk`: the user being
    renamed, whose own name does not count against them)."""
    if unicodedata.normalize("NFKC", username) != username:
        raise ValidationError(
            "Use plain letters: this username has full-width, styled or compatibility characters.",
            code="username_form",
        )
    if len(scripts(username)) > 1:
        raise ValidationError(
            "A username uses letters of one alphabet only (it mixes %(scripts)s).",
            code="username_mixed_script",
            params={"scripts": " and ".join(sorted(s.title() for s in scripts(username)))},
        )
    wanted = skeleton(username)
    others = get_user_model()._default_manager.all()
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    for existing in others.values_list("username", flat=True).iterator(chunk_size=2000):
        if skeleton(existing) == wanted:
            raise ValidationError(
                "That username is taken, or looks like one that is.", code="username_confusable"
            )
