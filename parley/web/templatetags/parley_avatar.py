"""A person's avatar in the rows the server renders: the same initial and colour as
static/parley/js/avatar.js gives the rows the page adds later."""

from django import template

register = template.Library()

AVATAR_COLOURS = 8  # .avatar--c0 … .avatar--c7 in parley.css


@register.filter
def avatar_initial(name: str | None) -> str:
    """The first letter of `name`, in capitals ("?" for none)."""
    name = (name or "").strip()
    return name[0].upper() if name else "?"


@register.filter
def avatar_colour(name: str | None) -> int:
    """avatar.js avatarColour(): 31 * h + c over the code points, modulo 2**32, into the palette."""
    value = 0
    for char in name or "":
        value = (value * 31 + ord(char)) % 2**32
    return value % AVATAR_COLOURS
