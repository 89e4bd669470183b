"""`manage.py send_digests`: one run of the digest emails (parley/notify/digest.py), for cron.

Safe beside the server's own loop and other runs: each message is emailed once whoever sends it.
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from parley.notify.digest import send_due_digests


class Command(BaseCommand):
    help = "Email everyone the unread mentions and direct messages that are due."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_due_digests(now=timezone.now())
        self.stdout.write(f"{sent} digest email{'s' if sent != 1 else ''} sent.")
