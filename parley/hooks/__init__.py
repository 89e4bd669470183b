"""Incoming webhooks: `/hooks/<token>` takes Slack-shaped payloads and posts them into a room."""
