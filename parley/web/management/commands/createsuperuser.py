"""`manage.py createsuperuser`, Django's, and the new account joins the auto-join rooms.

It lives in parley.web because that app comes first in INSTALLED_APPS, which is how Django picks
between two commands of one name. The accounts the command makes are collected from post_save
while it runs (the command hides them inside the manager's create_superuser), then welcomed
(parley/accounts/welcome.py).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management.commands import createsuperuser
from django.db.models.signals import post_save

from parley.accounts.welcome import account_welcome
from parley.core.types import AuthUser


class Command(createsuperuser.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        made: list[AuthUser] = []

        def collect(sender: Any, instance: AuthUser, created: bool, **kwargs: Any) -> None:
            if created:
                made.append(instance)

        uid = f"parley-createsuperuser-{id(made)}"
        post_save.connect(collect, sender=self.UserModel, weak=False, dispatch_uid=uid)
        try:
            super().handle(*args, **options)
        finally:
            post_save.disconnect(sender=self.UserModel, dispatch_uid=uid)
        for user in made:
            account_welcome(user=user)
