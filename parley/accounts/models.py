"""Accounts that programs drive: bots, and the access tokens people and bots authenticate with.

A token is shown once and stored as the SHA-256 of the whole token beside its public `prefix`:
a request's token is looked up by its prefix and compared with the digest in constant time
(parley/accounts/tokens.py), so neither a database read nor a timing tells a token.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Bot(models.Model):
    """A user account that is a program: made by staff in the admin (with its own tokens), or by a
    room's owner as an incoming webhook's author (parley.rooms.models.IncomingWebhook). Clients
    show its messages with a bot badge."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="bot"
    )
    # Who answers for it: sees its outgoing webhook's failures.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Outgoing webhook: POSTed to when the bot is mentioned or sent a direct message.
    outgoing_url = models.URLField(max_length=2000, blank=True, default="")
    # The last failure of the outgoing webhook, shown to the owner.
    last_error = models.TextField(blank=True, default="")
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"bot {self.user_id}"


class AccessToken(models.Model):
    """A personal access token (or a bot's): `Authorization: Bearer <token>`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens"
    )
    name = models.CharField(max_length=100)
    # The token's public part, by which a presented token is found.
    prefix = models.CharField(max_length=16, unique=True)
    # SHA-256 (hex) of the whole token.
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class SiteSettings(models.Model):
    """The server's own settings, set on the first-run page: one row (pk 1)."""

    name = models.CharField(max_length=80, default="Parley")
    # When the first account was made on the set-up page (None: not set up yet).
    set_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """A sign-up link made by staff: `/accounts/signup/?invite=<token>` (PARLEY_SIGNUP=invite).
    Stored like an access token: its public `prefix` and the SHA-256 of the whole token."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who or what it is for, shown in the list ("the design team").
    note = models.CharField(max_length=100, blank=True, default="")
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    max_uses = models.PositiveIntegerField(default=1)
    uses = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"invitation {self.prefix}"


class InvitationUse(models.Model):
    """One sign-up through an invitation: who used it, and when."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="used_by")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    used_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id} via {self.invitation_id}"


class AuditEntry(models.Model):
    """A moderation action: who did what, when, to whom, in which room (shown in the admin)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # e.g. "user_deactivate", "messages_delete_all", "message_delete", "member_remove".
    action = models.CharField(max_length=40)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The room's slug (kept when the room is deleted), "" when none.
    room = models.CharField(max_length=50, blank=True, default="")
    # Anything else worth keeping: counts, seqs, the reason given.
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id} at {self.created_at:%Y-%m-%d %H:%M}"


def avatar_path(instance: Profile, filename: str) -> str:
    """Stored under a generated name (the uploaded name is never used): a new name per upload,
    so caches of the old picture never show it for the new one."""
    import uuid

    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "png"
    return f"avatars/{instance.user_id}/{uuid.uuid4().hex}.{suffix}"


class Profile(models.Model):
    """What others see of a person besides their username (parley/accounts/profiles.py)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="profile"
    )
    # Shown instead of the username where people are named ("" = the username).
    display_name = models.CharField(max_length=80, blank=True, default="")
    # A picture resized and re-encoded on the server (no EXIF survives); "" = generated initials.
    avatar = models.FileField(upload_to=avatar_path, max_length=200, blank=True, default="")
    # An IANA time zone name ("Europe/Paris"), "" = not said; others see the person's local time.
    time_zone = models.CharField(max_length=64, blank=True, default="")
    status_emoji = models.CharField(max_length=64, blank=True, default="")
    status_text = models.CharField(max_length=100, blank=True, default="")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"profile of {self.user_id}"


class NotificationPrefs(models.Model):
    """How a person wants to hear of what they missed: email digests, Web Push, do not disturb.

    The address is Django's `User.email`; `email_verified` is the address a signed link proved
    (notification mail goes only to `User.email` when it equals it)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_prefs",
    )
    email_verified = models.EmailField(blank=True, default="")
    # Digest emails of unread mentions and direct messages.
    email_notify = models.BooleanField(default=True)
    # Web Push to this person's browsers and phones.
    push_notify = models.BooleanField(default=True)
    # Do not disturb: no push and no email until then (None, or past: not paused).
    dnd_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "notification preferences"
        verbose_name_plural = "notification preferences"

    def __str__(self) -> str:
        return f"notification preferences of {self.user_id}"
