"""Text rules shared by forms and services: one way to clean and count user text."""

import unicodedata

import pytest

from parley.core.text import body_length, clean_display_name, is_valid_slug, strip_bidi_controls

BIDI_CONTROLS = [
    "\u061c",  # ARABIC LETTER MARK
    "\u200e",  # LEFT-TO-RIGHT MARK
    "\u200f",  # RIGHT-TO-LEFT MARK
    "\u202a",  # LEFT-TO-RIGHT EMBEDDING
    "\u202b",  # RIGHT-TO-LEFT EMBEDDING
    "\u202c",  # POP DIRECTIONAL FORMATTING
    "\u202d",  # LEFT-TO-RIGHT OVERRIDE
    "\u202e",  # RIGHT-TO-LEFT OVERRIDE
    "\u2066",  # LEFT-TO-RIGHT ISOLATE
    "\u2067",  # RIGHT-TO-LEFT ISOLATE
    "\u2068",  # FIRST STRONG ISOLATE
    "\u2069",  # POP DIRECTIONAL ISOLATE
]


@pytest.mark.parametrize("control", BIDI_CONTROLS, ids=lambda c: unicodedata.name(c))
def test_strip_bidi_controls_removes_each_control(control):
    assert strip_bidi_controls(f"a{control}b{control}") == "ab"


def test_strip_bidi_controls_covers_every_explicit_directional_format():
    # From the character database: every embedding, override and isolate control, and the marks.
    explicit = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
    controls = [
        chr(code) for code in range(0x110000) if unicodedata.bidirectional(chr(code)) in explicit
    ]
    marks = [
        unicodedata.lookup(name)
        for name in ("LEFT-TO-RIGHT MARK", "RIGHT-TO-LEFT MARK", "ARABIC LETTER MARK")
    ]

    assert len(controls) == 9
    assert strip_bidi_controls("x".join(controls + marks)) == "x" * (len(controls) + 2)


def test_strip_bidi_controls_keeps_right_to_left_text_and_other_characters():
    text = "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 zero\u200bwidth e\u0301 👍"

    assert strip_bidi_controls(text) == text


def test_evil_file_name_reads_as_it_is():
    assert strip_bidi_controls("evil\u202egnp.exe") == "evilgnp.exe"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  General  ", "General"),
        ("\tTeam\n", "Team"),
        ("\u202e General \u202c", "General"),
        ("\u200f \u200e", ""),
        ("Cafe\u0301", "Caf\u00e9"),
        ("\u212b", "\u00c5"),  # ANGSTROM SIGN is NFC-normalised to A WITH RING
        ("two  spaces", "two  spaces"),
        ("<b>x</b>", "<b>x</b>"),
        ("", ""),
    ],
)
def test_clean_display_name(raw, clean):
    assert clean_display_name(raw) == clean


def test_clean_display_name_is_nfc_after_stripping():
    # A bidi control between a letter and its combining mark must not stop them composing.
    assert clean_display_name("e\u202e\u0301") == "\u00e9"


@pytest.mark.parametrize(
    "slug", ["a", "0", "general", "team-42", "a-b", "a--b", "x" * 50, "9lives", "room-" + "9" * 45]
)
def test_valid_slugs(slug):
    assert is_valid_slug(slug) is True


@pytest.mark.parametrize(
    "slug",
    [
        "",
        "x" * 51,
        "-a",
        "a-",
        "-",
        "../etc",
        "a/b",
        "/",
        ".",
        "General",
        "a b",
        "a_b",
        "caf\u00e9",
        "\uff41",  # FULLWIDTH LATIN SMALL LETTER A
        "\u0661",  # ARABIC-INDIC DIGIT ONE
        "general\n",
        "\ngeneral",
        "gen\x00",
        " general",
        None,
        42,
        b"general",
        ["general"],
    ],
    ids=repr,
)
def test_invalid_slugs(slug):
    assert is_valid_slug(slug) is False


@pytest.mark.parametrize(
    ("body", "length"),
    [
        ("", 0),
        ("hello", 5),
        ("😀", 1),  # outside the BMP: 1 code point, 2 UTF-16 units, 4 UTF-8 bytes
        ("👍🏽", 2),  # emoji + skin tone modifier
        ("👨\u200d👩\u200d👧", 5),  # ZWJ family: 3 emoji and 2 joiners
        ("🇫🇷", 2),  # a flag is two regional indicators
        ("e\u0301", 2),  # combining mark counted on its own
        ("\u00e9", 1),
        ("\u05e9\u200f", 2),
        ("\x00", 1),
    ],
)
def test_body_length_counts_code_points(body, length):
    assert body_length(body) == length


def test_body_length_is_neither_bytes_nor_utf16_units():
    body = "😀" * 10

    assert body_length(body) == 10
    assert len(body.encode("utf-8")) == 40
    assert len(body.encode("utf-16-le")) // 2 == 20
