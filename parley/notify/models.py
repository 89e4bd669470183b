"""What notifications need to remember: where to push, and what was already emailed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class PushSubscription(models.Model):
    """A browser's Web Push subscription (PushSubscription.toJSON()): where to POST, and the keys
    the payload is encrypted to (RFC 8291). An endpoint belongs to one browser profile, so to one
    user at a time: subscribing it again moves it to whoever subscribed last."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=2000, unique=True)
    # The browser's P-256 public key (base64url, 65 bytes uncompressed) and auth secret (16 bytes).
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(null=True, blank=True)
    # Failures in a row (a success resets it); past the limit the subscription is dropped.
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"push subscription {self.pk} of {self.user_id}"


class EmailedThrough(models.Model):
    """The last seq of a room already told of in a digest email to a user: a message is emailed
    at most once, and only while it is unread past the delay."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField(default=0)
    emailed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "room"], name="emailed_through_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} emailed through {self.room_id}#{self.seq}"
