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
