"""`manage.py export_room <slug> [--output FILE]`: a room's history as JSON, for operators.

The same document as the room settings page's export (parley/rooms/export.py), of any room,
direct conversations included: whoever runs manage.py already holds the database, so no rule
applies and `exported_by` is null. Streamed to standard output by default; with `--output` to
FILE through a temporary file beside it, renamed into place once complete, so FILE is never a
half-written document.
"""

import os
import tempfile
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from parley.rooms.export import EXPORT_BATCH, room_export
from parley.rooms.models import Room


class Command(BaseCommand):
    help = "Export a room's history (messages as they are now, events, members) as JSON."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("slug", help="The room's slug (its address: /rooms/<slug>/).")
        parser.add_argument(
            "--output", "-o", metavar="FILE", help="Write to FILE instead of standard output."
        )
        parser.add_argument(
            "--site-url",
            default="",
            metavar="URL",
            help="Make attachment URLs absolute, e.g. https://chat.example.com.",
        )
        parser.add_argument("--batch-size", type=int, default=EXPORT_BATCH)

    def handle(
        self,
        *args: Any,
        slug: str,
        output: str | None,
        site_url: str,
        batch_size: int,
        **options: Any,
    ) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            room = Room.objects.get(slug=slug)
        except Room.DoesNotExist:
            raise CommandError(f"No room {slug!r}.") from None
        chunks = room_export(room=room, by=None, site_url=site_url, batch_size=batch_size)
        if output is None:
            for chunk in chunks:
                self.stdout.write(chunk.decode(), ending="")
            return
        target = Path(output)
        fd, temporary = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.")
        try:
            with os.fdopen(fd, "wb") as file:
                for chunk in chunks:
                    file.write(chunk)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stderr.write(f"Exported {room.slug} to {target}.")
