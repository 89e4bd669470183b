"""Notifications in the browser (issue 21) through Debian's Chromium: the service worker at the
site's root, the permission asked from the user menu's button, a desktop notification for a
mention while the tab is hidden, a click on a notification opening the message, Web Push
subscribing and dropping the subscription at logout, and the manifest of the installable app.

Headless Chromium has no push service: where a real push cannot arrive, the worker's handlers
are called in the worker itself (self.parley, static/parley/sw.js), and one test puts a stand-in
pushManager in the page to see what the page sends the server.
"""

import base64
import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None

from tests.e2e.browser.tooling import two_members

pytestmark = pytest.mark.live

# Records every Notification the page constructs (window.__notes) and can make the page look
# hidden and unfocused (window.__hide(), window.__show()): a tab in the background and back.
RECORD_NOTIFICATIONS = """
(() => {
  const Real = window.Notification;
  if (!Real) return;
  window.__notes = [];
  function Recorded(title, options = {}) {
    const shown = new Real(title, options);
    const { body, tag, data } = options;
    window.__notes.push({ title, body, tag, url: data?.url, shown });
    return shown;
  }
  Object.defineProperty(Recorded, "permission", { get: () => Real.permission });
  Recorded.requestPermission = (...args) => Real.requestPermission(...args);
  Recorded.prototype = Real.prototype;
  window.Notification = Recorded;
  let hidden = false;
  window.__hide = () => {
    hidden = true;
    document.dispatchEvent(new Event("visibilitychange"));
  };
  window.__show = () => {
    hidden = false;
    document.dispatchEvent(new Event("visibilitychange"));
  };
  const state = () => (hidden ? "hidden" : "visible");
  Object.defineProperty(document, "visibilityState", { get: state });
  Object.defineProperty(document, "hidden", { get: () => hidden });
  const hasFocus = document.hasFocus.bind(document);
  document.hasFocus = () => !hidden && hasFocus();
})();
"""

# A pushManager that subscribes without a push service, and the server's push endpoints
# answered in the page (the requests are kept in sessionStorage, which outlives the logout's
# navigation): what the page asks and sends, whether or not this server has push.
STUB_PUSH = """
(() => {
  window.__push = { asked: null, subscription: null };
  const subscription = {
    endpoint: "https://push.example/send/abc",
    toJSON: () => ({ endpoint: subscription.endpoint, expirationTime: null,
                     keys: { p256dh: "BPublicKey", auth: "secret" } }),
    unsubscribe: async () => { window.__push.subscription = null; return true; },
  };
  const manager = {
    subscribe: async (options) => {
      window.__push.asked = { userVisibleOnly: options.userVisibleOnly,
                              keyLength: new Uint8Array(options.applicationServerKey).length };
      window.__push.subscription = subscription;
      return subscription;
    },
    getSubscription: async () => window.__push.subscription,
  };
  Object.defineProperty(ServiceWorkerRegistration.prototype, "pushManager", { get: () => manager });
  const realFetch = window.fetch.bind(window);
  window.fetch = async (url, init = {}) => {
    const path = new URL(String(url), location.href).pathname;
    if (path === "/push/key") return Response.json({ key: "__KEY__" });
    if (path !== "/push/subscriptions") return realFetch(url, init);
    const sent = JSON.parse(sessionStorage.getItem("sent") || "[]");
    sent.push({ method: init.method, body: JSON.parse(init.body),
                csrf: new Headers(init.headers).get("X-CSRFToken") });
    sessionStorage.setItem("sent", JSON.stringify(sent));
    return new Response(null, { status: init.method === "POST" ? 201 : 204 });
  };
})();
"""


def vapid_public_key() -> str:
    """A real P-256 public key, uncompressed and base64url, as GET /push/key gives it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    raw = public.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def open_user_menu(page):
    page.locator("details.user-menu > summary").first.click()
    return page.locator("[data-notify-setup]").first


def test_the_service_worker_registers_with_the_whole_site_as_its_scope(person, server):
    ada = person("ada")
    ada.sign_up()

    scope = ada.page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")

    assert scope == server.base_url + "/"


def test_the_enable_button_asks_for_permission_only_when_clicked_and_then_hides(person):
    ada = person("ada")
    ada.context.add_init_script(RECORD_NOTIFICATIONS)
    ada.sign_up()
    assert ada.page.evaluate("Notification.permission") == "default"  # nothing asked on load
    menu = open_user_menu(ada.page)
    enable = menu.get_by_role("button", name="Enable desktop notifications")
    expect(enable).to_be_visible()

    ada.context.grant_permissions(["notifications"])  # what the user answers to the prompt
    enable.click()

    expect(enable).to_be_hidden()
    # Headless Chromium has no push service (and this server may have no push yet): the page
    # says what it can do, and keeps working.
    expect(menu.locator("[data-notify-status]")).to_contain_text(
        "Notifications show while Parley is open in a tab"
    )
    ada.page.reload()
    expect(open_user_menu(ada.page).get_by_role("button", name=re.compile("Enable"))).to_be_hidden()


def test_blocked_notifications_are_explained_instead_of_the_button(person):
    ada = person("ada")
    # What a page sees after the user blocked notifications for the site.
    ada.context.add_init_script(
        "Object.defineProperty(Notification, 'permission', {get: () => 'denied'})"
    )
    ada.sign_up()

    menu = open_user_menu(ada.page)

    expect(menu.locator("[data-notify-status]")).to_contain_text("blocked for this site")
    expect(menu.get_by_role("button", name="Enable desktop notifications")).to_be_hidden()


def test_the_sound_choice_is_kept_by_the_browser(person):
    ada = person("ada")
    ada.sign_up()
    sound = open_user_menu(ada.page).get_by_label("Notification sound")
    expect(sound).not_to_be_checked()  # off until chosen

    sound.check()
    ada.page.reload()

    expect(open_user_menu(ada.page).get_by_label("Notification sound")).to_be_checked()
    assert ada.page.evaluate("localStorage.getItem('parley.notify.sound')") == "on"


def test_a_mention_while_the_tab_is_hidden_shows_a_notification_that_opens_the_message(person):
    ada, bob, slug = two_members(person, "notify-", init_script=RECORD_NOTIFICATIONS)
    ada.context.grant_permissions(["notifications"])
    ada.page.reload()
    ada.wait_live()
    ada.page.evaluate("window.__hide()")

    bob.say(f"@{ada.username} lunch at noon?")

    ada.page.wait_for_function("() => window.__notes.length === 1")
    note = ada.page.evaluate("({...window.__notes[0], shown: undefined})")
    seq = bob.seqs()[-1]
    assert note["title"] == f"{bob.username} in Notify"
    assert note["body"] == f"@{ada.username} lunch at noon?"
    assert note["tag"] == slug
    assert note["url"] == f"/rooms/{slug}/?seq={seq}"
    # The tab says it too: the count in the title, the dot on the favicon.
    expect(ada.page).to_have_title(re.compile(r"^\(1\) "))
    assert "favicon-badge" in ada.page.locator("link[rel=icon]").get_attribute("href")

    ada.page.evaluate("window.__notes[0].shown.dispatchEvent(new Event('click'))")

    expect(ada.page).to_have_url(re.compile(rf"/rooms/{slug}/\?seq={seq}$"))
    expect(ada.message(f"@{ada.username} lunch at noon?")).to_be_visible()


def test_my_own_message_and_a_plain_one_show_no_notification(person):
    ada, bob, slug = two_members(person, "quiet-", init_script=RECORD_NOTIFICATIONS)
    for someone in (ada, bob):
        someone.context.grant_permissions(["notifications"])
        someone.page.reload()
        someone.wait_live()
        someone.page.evaluate("window.__hide()")

    bob.say("nothing for ada")
    bob.say(f"@{ada.username} this one")

    ada.page.wait_for_function("() => window.__notes.length >= 1")
    assert ada.page.evaluate("window.__notes.map((n) => n.body)") == [f"@{ada.username} this one"]
    assert bob.page.evaluate("window.__notes.length") == 0
    # The open room's title counts both messages that came while away, until the reader is back.
    expect(ada.page).to_have_title(re.compile(r"^\(2\) "))
    ada.page.evaluate("window.__show()")
    expect(ada.page).not_to_have_title(re.compile(r"^\(\d+\) "))


def test_a_click_on_a_push_notification_takes_the_open_tab_to_the_message(person, server):
    ada, bob, slug = two_members(person, "push-click-")
    bob.say("the message to open")
    expect(ada.message("the message to open")).to_be_visible()
    seq = ada.seqs()[-1]
    ada.context.grant_permissions(["notifications"])
    ada.page.goto("/")
    ada.page.evaluate("navigator.serviceWorker.ready.then(() => null)")
    ada.page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    worker = next(w for w in ada.context.service_workers if w.url.endswith("/sw.js"))
    payload = {
        "title": f"{bob.username} in Push",
        "body": "the message to open",
        "url": f"/rooms/{slug}/?seq={seq}",
        "room": slug,
        "seq": seq,
    }

    shown = worker.evaluate(
        """async (payload) => {
            await self.parley.showPush(payload);
            const [notification] = await self.registration.getNotifications({tag: payload.room});
            const {title, body, data} = notification;
            const seen = {title, body, url: data.url};
            await self.parley.onNotificationClick({notification});
            return seen;
        }""",
        payload,
    )

    assert shown == {
        "title": f"{bob.username} in Push",
        "body": "the message to open",
        "url": f"{server.base_url}/rooms/{slug}/?seq={seq}",
    }
    expect(ada.page).to_have_url(f"{server.base_url}/rooms/{slug}/?seq={seq}")
    expect(ada.message("the message to open")).to_be_visible()


def test_enabling_push_posts_the_subscription_and_logging_out_deletes_it(person):
    ada = person("ada")
    ada.context.add_init_script(STUB_PUSH.replace("__KEY__", vapid_public_key()))
    ada.sign_up()
    menu = open_user_menu(ada.page)
    enable = menu.get_by_role("button", name="Enable desktop notifications")
    expect(enable).to_be_visible()
    ada.context.grant_permissions(["notifications"])  # what the user answers to the prompt

    enable.click()

    expect(menu.locator("[data-notify-status]")).to_have_text("Desktop notifications are on.")
    assert ada.page.evaluate("window.__push.asked") == {"userVisibleOnly": True, "keyLength": 65}
    sent = ada.page.evaluate("JSON.parse(sessionStorage.getItem('sent'))")
    csrf = next(c["value"] for c in ada.context.cookies() if c["name"] == "csrftoken")
    assert sent == [
        {
            "method": "POST",
            "body": {
                "endpoint": "https://push.example/send/abc",
                "keys": {"p256dh": "BPublicKey", "auth": "secret"},
            },
            "csrf": csrf,
        }
    ]
    expect(menu.get_by_role("button", name="Turn off push on this device")).to_be_visible()

    ada.page.get_by_role("button", name="Log out").click()

    expect(ada.page).to_have_url(re.compile(r"/accounts/login/"))
    sent = ada.page.evaluate("JSON.parse(sessionStorage.getItem('sent'))")
    assert [s["method"] for s in sent] == ["POST", "DELETE"]
    assert sent[1]["body"] == {"endpoint": "https://push.example/send/abc"}


def test_the_manifest_and_its_icons_are_served(person):
    ada = person("ada")
    ada.sign_up()

    icons = ada.page.evaluate(
        """async () => {
            const link = document.querySelector("link[rel=manifest]");
            const manifest = await (await fetch(link.href)).json();
            const answers = await Promise.all(manifest.icons.map(async (icon) => {
                const answer = await fetch(new URL(icon.src, link.href));
                const bitmap = await createImageBitmap(await answer.blob());
                return [icon.sizes, answer.status, `${bitmap.width}x${bitmap.height}`];
            }));
            return {display: manifest.display, start: manifest.start_url, answers};
        }"""
    )

    assert icons["display"] == "standalone"
    assert icons["start"] == "/"
    assert len(icons["answers"]) == 3
    for sizes, status, drawn in icons["answers"]:
        assert (status, drawn) == (200, sizes)


def test_the_home_page_counts_a_new_mention_in_its_title_and_favicon(person):
    ada, bob, slug = two_members(person, "homecount-")
    ada.page.goto("/")
    ada.wait_live()
    expect(ada.page).not_to_have_title(re.compile(r"^\(\d+\) "))

    bob.say(f"@{ada.username} look at the home page")

    expect(ada.page).to_have_title(re.compile(r"^\(1\) "))
    assert "favicon-badge" in ada.page.locator("link[rel=icon]").get_attribute("href")
