"""Sockets outlive the HTTP session that opened them; logging out must end them too."""

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from parley.realtime.broadcast import publish_user_sessions_ended


@receiver(user_logged_out)
def close_sockets_on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        publish_user_sessions_ended(user.pk, session_key=request.session.session_key)
