"""A person's avatar in the rows the server renders: the same initial and colour as
static/parley/js/avatar.js gives the rows the page adds later."""

from typing import Any

from django import template
from django.core.exceptions import ObjectDoesNotExist

from parley.accounts.avatars import avatar_url
from parley.accounts.models import Profile
from parley.rooms.selectors import MemberProfile, room_member_profiles

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


def _author_profile(item: Any) -> Profile | None:
    user = getattr(item, "user", None)
    if user is None:
        return None
    try:
        profile: Profile = user.profile
    except ObjectDoesNotExist:
        return None
    return profile


@register.filter
def author_label(item: Any) -> str:
    """The name a message shows for its author, as timeline_model.js authorLabel() does: the
    item's own (an incoming webhook's), else the author's display name, else the username;
    "" for a deleted account."""
    if item is None or getattr(item, "user", None) is None:
        return ""
    profile = _author_profile(item)
    return str(item.display_name or (profile.display_name if profile else "") or item.user.username)


@register.filter
def author_picture(item: Any) -> str:
    """The URL of the author's uploaded picture, "" for none."""
    return avatar_url(_author_profile(item)) or ""


@register.simple_tag
def member_profiles(room_id: int) -> dict[str, MemberProfile]:
    """The room's members' display names, statuses and "do not disturb" (one query)."""
    return room_member_profiles(room_id)


@register.filter
def profile_for(profiles: dict[str, MemberProfile] | None, username: str) -> MemberProfile | None:
    return (profiles or {}).get(username)
