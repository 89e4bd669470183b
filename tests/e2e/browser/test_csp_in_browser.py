"""The Content-Security-Policy in a real browser: the pages, the socket and the admin work under
it, nothing is refused, and markup that users type stays text.

Chromium reports every refusal as a `securitypolicyviolation` event; each page records them
from its first script on, and the tests assert there were none.
"""

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None

from tests.e2e.browser.tooling import PASSWORD, unique

pytestmark = pytest.mark.live

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""
MARKUP = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


def watch(someone) -> list[str]:
    """Console lines about the policy, and the page's recorded violations (checked later)."""
    someone.context.add_init_script(RECORD_VIOLATIONS)
    lines: list[str] = []
    someone.page.on(
        "console",
        lambda message: (
            lines.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return lines


def violations(someone) -> list[str]:
    return someone.page.evaluate("window.__cspViolations || []")


def test_the_room_and_its_socket_work_under_the_policy_and_markup_stays_text(person):
    ada, bob = person("ada"), person("bob")
    console = watch(ada) + watch(bob)
    ada.sign_up()
    bob.sign_up()
    slug = unique("csp-")
    ada.create_room(f"Room {MARKUP}", slug)
    bob.open_room(slug)
    bob.join_here()

    ada.say(MARKUP)

    expect(bob.message(MARKUP)).to_have_count(1)
    expect(ada.message(MARKUP)).to_have_count(1)
    for someone in (ada, bob):
        assert someone.page.evaluate("window.__pwned") is None
        assert someone.page.locator("#timeline img").count() == 0
        assert violations(someone) == []
        header = someone.page.evaluate(
            "fetch(location.href).then(r => r.headers.get('content-security-policy'))"
        )
        assert "script-src 'self'" in header and "unsafe-inline" not in header
    expect(bob.page.locator("h1")).to_contain_text(MARKUP)
    assert console == []


def test_the_admin_works_under_the_same_policy(person, server):
    admin = person("root")
    console = watch(admin)
    server.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_superuser({admin.username!r}, '', {PASSWORD!r})",
    )
    page = admin.page
    page.goto("/admin/login/")
    page.fill("#id_username", admin.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))

    slug = unique("admin-")
    page.goto("/admin/rooms/room/add/")
    page.fill("#id_name", "From the admin")
    page.fill("#id_slug", slug)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    # The membership form's autocomplete widgets are the admin's most script-heavy page.
    page.goto("/admin/rooms/membership/add/")
    page.locator(".select2-selection").first.click()
    expect(page.locator(".select2-results__option").first).to_be_visible()
    page.goto("/admin/auth/user/")
    expect(page.locator("#result_list")).to_be_visible()

    assert violations(admin) == []
    assert console == []
