"""Slack payloads and mrkdwn as Parley Markdown (parley/hooks/slack.py): pure, no database."""

import pytest

from parley.hooks.slack import (
    NoText,
    PayloadError,
    display_name,
    mrkdwn_to_markdown,
    payload_message,
)


@pytest.mark.parametrize(
    ("mrkdwn", "markdown"),
    [
        ("*bold*", "**bold**"),
        ("_italic_", "*italic*"),
        ("~strike~", "~~strike~~"),
        ("*bold _and italic_*", "**bold *and italic***"),
        ("a *b* c _d_ e ~f~", "a **b** c *d* e ~~f~~"),
        ("<https://example.com|the site>", "[the site](https://example.com)"),
        ("<https://example.com>", "https://example.com"),
        ("<https://example.com/a_b_c|x_y>", "[x_y](https://example.com/a_b_c)"),
        ("<mailto:ops@example.com|mail ops>", "[mail ops](mailto:ops@example.com)"),
        ("<!here> deploy", "@room deploy"),
        ("<!channel>", "@room"),
        ("<!everyone>", "@room"),
        ("<!here|here>", "@room"),
        ("<@U123|ada> look", "@ada look"),
        ("<#C123|general>", "#general"),
        ("<!subteam^S1|@ops>", "@ops"),
        ("1 &lt; 2 &amp;&amp; 3 &gt; 2", "1 < 2 && 3 > 2"),
        ("`*not bold*`", "`*not bold*`"),
        ("```\n*not bold* _nor this_\n```", "```\n*not bold* _nor this_\n```"),
        ("`a &lt; b`", "`a < b`"),
        ("snake_case_name", "snake_case_name"),
        ("2 * 3 * 4", "2 * 3 * 4"),
        ("*not closed", "*not closed"),
        ("a*b*c", "a*b*c"),
        ("line one\nline *two*", "line one\nline **two**"),
        ("<https://x.test/?q=a b|label>", "[label](https://x.test/?q=a%20b)"),
        ("<https://x.test|[FIRING:1] cpu>", "[\\[FIRING:1\\] cpu](https://x.test)"),
        ("nul\x00here", "nulhere"),
        ("", ""),
    ],
)
def test_mrkdwn_becomes_markdown(mrkdwn, markdown):
    assert mrkdwn_to_markdown(mrkdwn) == markdown


def test_text_alone_is_the_body():
    message = payload_message({"text": "Build *passed* on <https://ci.test/1|#1>"})
    assert message.body == "Build **passed** on [#1](https://ci.test/1)"
    assert message.username == ""


def test_username_is_the_display_name_of_that_message():
    assert payload_message({"text": "x", "username": "  Grafana\n Alerts "}).username == (
        "Grafana Alerts"
    )


@pytest.mark.parametrize(("value", "name"), [(None, ""), (3, ""), ("a" * 100, "a" * 80)])
def test_display_name_is_one_short_line_of_text(value, name):
    assert display_name(value) == name


def test_blocks_replace_text_as_in_slack():
    message = payload_message(
        {
            "text": "fallback for notifications",
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": "Deploy"}},
                {"type": "section", "text": {"type": "mrkdwn", "text": "*prod* is _green_"}},
                {
                    "type": "section",
                    "fields": [
                        {"type": "mrkdwn", "text": "*Env*\nprod"},
                        {"type": "plain_text", "text": "v1.2"},
                    ],
                },
                {"type": "divider"},
                {
                    "type": "context",
                    "elements": [
                        {"type": "mrkdwn", "text": "by <@U1|ada>"},
                        {"type": "image", "image_url": "https://x.test/a.png", "alt_text": "a"},
                        {"type": "plain_text", "text": "2 min ago"},
                    ],
                },
                {"type": "actions", "elements": [{"type": "button"}]},
            ],
        }
    )
    assert message.body == (
        "**Deploy**\n\n**prod** is *green*\n\n**Env**\nprod\nv1.2\n\n---\n\nby @ada · 2 min ago"
    )


def test_text_is_used_when_blocks_have_no_text():
    payload = {"text": "plain", "blocks": [{"type": "divider"}, {"type": "actions"}]}
    assert payload_message(payload).body == "plain"


def test_attachments_follow_the_text():
    message = payload_message(
        {
            "text": "Alerts",
            "attachments": [
                {
                    "fallback": "not shown",
                    "color": "danger",
                    "pretext": "<!here> firing",
                    "title": "[FIRING:1] HighCPU",
                    "title_link": "https://am.test/#/alerts",
                    "text": "*cpu* at 97%",
                    "fields": [
                        {"title": "severity", "value": "critical", "short": True},
                        {"title": "instance", "value": "web-1"},
                    ],
                    "footer": "Alertmanager",
                },
                {"fallback": "only a fallback"},
            ],
        }
    )
    assert message.body == (
        "Alerts\n\n@room firing\n\n**[\\[FIRING:1\\] HighCPU](https://am.test/#/alerts)**\n\n"
        "**cpu** at 97%\n\n**severity**: critical\n**instance**: web-1\n\nAlertmanager\n\n"
        "only a fallback"
    )


def test_title_without_link_is_bold():
    assert payload_message({"attachments": [{"title": "Hi"}]}).body == "**Hi**"


def test_unknown_keys_and_wrong_types_are_skipped():
    message = payload_message(
        {
            "text": "ok",
            "icon_url": "https://x.test/i.png",
            "channel": "#town-square",
            "icon_emoji": ":ghost:",
            "attachments": "not a list",
            "blocks": [None, 3, {"type": "section", "text": 5}, {"type": "unknown"}],
            "whatever": {"nested": [1, 2]},
        }
    )
    assert message.body == "ok"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"text": ""},
        {"text": "   \n "},
        {"text": None},
        {"username": "only a name"},
        {"attachments": [{"color": "good"}]},
        {"blocks": [{"type": "divider"}]},
    ],
)
def test_payload_without_text_is_no_text(payload):
    with pytest.raises(NoText):
        payload_message(payload)


@pytest.mark.parametrize("payload", [[], "text", 3, None])
def test_payload_that_is_not_an_object_is_invalid(payload):
    with pytest.raises(PayloadError) as refused:
        payload_message(payload)
    assert refused.value.reason == "invalid_payload"


def test_numbers_are_text():
    assert payload_message({"attachments": [{"fields": [{"title": "n", "value": 3}]}]}).body == (
        "**n**: 3"
    )
