"""System checks: a mistyped limit in the environment stops `manage.py check` and the server."""

from collections.abc import Sequence

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from parley.core.ratelimit import Action, parse_rate


@register()
def check_rate_limits(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[Error]:
    config = settings.PARLEY_RATE_LIMITS
    errors = []
    for action in Action:
        try:
            parse_rate(config["RATES"][action.value])
        except (ImproperlyConfigured, KeyError) as exc:
            errors.append(Error(f"rate limit {action.value!r}: {exc}", id="parley.E001"))
    for option in ("MAX_STRIKES", "MAX_SOCKETS_PER_USER", "MAX_SOCKETS_PER_ADDRESS"):
        if not isinstance(config.get(option), int) or config[option] < 1:
            errors.append(Error(f"{option} must be a whole number above 0.", id="parley.E002"))
    return errors
