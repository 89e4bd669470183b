"""Outgoing webhooks: a bot mentioned or sent a direct message is told over HTTP, and its
answer posted (webhook.py says what is sent, dispatch.py where it runs)."""
