"""`manage.py rerender_messages`: render stored messages and edits again, after the renderer
(parley/rooms/markdown.py) changed.

Messages and edits that are not deleted, in batches by primary key, each with the `mentions`
stored with it; only rows whose `html` changes are written. A row edited or deleted while the
command runs is left to what that write stored.
"""

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from parley.rooms.markdown import render_body
from parley.rooms.models import Item, Room


class Command(BaseCommand):
    help = "Render the html of stored messages and edits again (after a renderer upgrade)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--room", metavar="SLUG", help="Only this room's items.")

    def handle(self, *args: Any, batch_size: int, room: str | None, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        items = Item.objects.filter(
            kind__in=(Item.Kind.MESSAGE, Item.Kind.EDIT), deleted=False
        ).order_by("pk")
        if room is not None:
            try:
                items = items.filter(room=Room.objects.get(slug=room))
            except Room.DoesNotExist:
                raise CommandError(f"No room {room!r}.") from None
        fields = ("pk", "body", "html", "mentions", "edited_at")
        changed = 0
        last_pk = 0
        with tqdm(
            total=items.count(), unit="item", file=options.get("stderr") or sys.stderr
        ) as progress:
            while batch := list(items.filter(pk__gt=last_pk).only(*fields)[:batch_size]):
                changed += _rerender(batch)
                last_pk = batch[-1].pk
                progress.update(len(batch))
        self.stdout.write(f"{changed} re-rendered (html changed), of {progress.n} items.")


def _rerender(batch: list[Item]) -> int:
    """Write the rows of `batch` whose html changes; an edit or deletion since they were read
    (its body, `edited_at` or `deleted` differs) wins."""
    changed = 0
    with transaction.atomic():
        for item in batch:
            html = render_body(item.body, mentions=item.mentions)
            if html != item.html:
                changed += Item.objects.filter(
                    pk=item.pk, body=item.body, edited_at=item.edited_at, deleted=False
                ).update(html=html)
    return changed
