"""A real SMTP server for the email tests: aiosmtpd on a free loopback port, keeping what it
receives; Django's SMTP backend is pointed at it for the test."""

from __future__ import annotations

import email
import logging
import re
import socket
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass
class Inbox:
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)  # before the 250: a returned send() has been received
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def links_in(text: str) -> list[str]:
    return LINK.findall(text)


@pytest.fixture
def smtp_inbox(settings):
    """What a real SMTP server received while the test ran (Django sends there)."""
    inbox = Inbox()
    # aiosmtpd logs every SMTP command at INFO.
    log = logging.getLogger("mail.log")
    level = log.level
    log.setLevel(logging.WARNING)
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.PARLEY_SITE_URL = "http://testserver"
    try:
        yield inbox
    finally:
        controller.stop()
        log.setLevel(level)
