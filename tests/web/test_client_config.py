"""The pages' scripts take the server's close codes and limits from the page (#client-config,
read by static/parley/js/config.js) instead of copying them."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from parley.rooms.selectors import HISTORY_MAX_LIMIT
from parley.wire.codes import CloseCode
from tests.factories import make_room
from tests.web.test_pages import assert_no_inline_code, json_script

pytestmark = pytest.mark.django_db

JS = Path(settings.BASE_DIR) / "parley" / "web" / "static" / "parley" / "js"


@pytest.mark.parametrize("path", ["/", "/rooms/lobby/"])
def test_the_pages_with_scripts_carry_every_close_code_and_the_limits(ada_client, ada, path):
    make_room(ada, slug="lobby")

    html = ada_client.get(path).text

    config = json_script(html, "client-config")
    assert config["closeCodes"] == {code.name: code.value for code in CloseCode}
    assert config["closeCodes"]["RATE_LIMITED"] == 4429
    assert config["historyMax"] == HISTORY_MAX_LIMIT
    assert config["historyPage"] == settings.PARLEY["PAGE_ITEMS"]
    assert config["maxBody"] == settings.PARLEY["MAX_BODY_CHARS"]
    assert config["typingShowSeconds"] > 0
    assert html.count('id="client-config"') == 1
    assert_no_inline_code(html)


def test_every_close_code_the_client_names_is_one_of_the_servers():
    source = (JS / "socket.js").read_text()
    named = set(re.findall(r"\bcodes\.([A-Z_]+)", source))
    assert {"UNAUTHENTICATED", "SESSION_ENDED", "SERVICE_RESTART", "RIGHTS_CHANGED"} <= named
    assert named <= {code.name for code in CloseCode}


def test_no_client_module_copies_the_servers_close_codes_or_history_maximum():
    parleys_own = {str(code.value) for code in CloseCode if code.value >= 4000}
    for module in JS.glob("*.js"):
        source = module.read_text()
        found = parleys_own & set(re.findall(r"\b\d+\b", source))
        assert not found, f"{module.name} copies close codes {sorted(found)}: use config.js"
        assert "HISTORY_MAX" not in source, f"{module.name}: the history maximum is config.js's"
