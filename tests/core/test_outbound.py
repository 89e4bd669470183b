"""The guard on outgoing requests (parley/core/outbound.py), against a real local server."""

import ipaddress
import socket
import ssl

import pytest
import trustme

from parley.core import outbound
from parley.core.outbound import OutboundFailed, OutboundRefused, address_refusal, post_json
from tests.core.http_target import HttpTarget


@pytest.fixture
def target():
    with HttpTarget() as server:
        yield server


@pytest.fixture
def private_allowed(settings):
    settings.PARLEY_ALLOW_PRIVATE_TARGETS = True


@pytest.fixture
def private_refused(settings):
    settings.PARLEY_ALLOW_PRIVATE_TARGETS = False


@pytest.fixture
def resolves(monkeypatch):
    """Make a made-up host name resolve to chosen addresses (the system resolver otherwise)."""
    real = socket.getaddrinfo
    names: dict[str, list[str]] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host in names:
            return [
                (
                    socket.AF_INET6 if ":" in address else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (address, port),
                )
                for address in names[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names


REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("[::1]", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("192.168.1.1", "private"),
    ("[fc00::1]", "private"),
    ("169.254.169.254", "link-local"),
    ("[fe80::1]", "link-local"),
    ("0.0.0.0", "unspecified"),
    ("[::]", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("[ff02::1]", "multicast"),
    ("240.0.0.1", "reserved"),
    ("100.64.0.1", "not global"),
    ("[::ffff:127.0.0.1]", "loopback"),
    ("[::ffff:169.254.169.254]", "link-local"),
    ("[2002:7f00:1::]", "loopback"),  # 6to4 around 127.0.0.1
    ("[64:ff9b::a00:1]", "private"),  # NAT64 around 10.0.0.1
]


@pytest.mark.parametrize(("host", "reason"), REFUSED)
async def test_a_non_public_address_is_refused_before_any_connection(
    target, private_refused, host, reason
):
    with pytest.raises(OutboundRefused, match=reason):
        await post_json(f"http://{host}:{target.port}/ok", {"a": 1})
    assert target.received == []


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001::1"]
)
def test_a_public_address_is_allowed(address):
    assert address_refusal(ipaddress.ip_address(address)) is None


async def test_localhost_by_name_is_refused_because_of_what_it_resolves_to(target, private_refused):
    target.answer("/ok", "hello")
    with pytest.raises(OutboundRefused, match="localhost resolves to"):
        await post_json(target.url("/ok", host="localhost"), {})
    assert target.received == []


@pytest.mark.parametrize("address", ["10.0.0.7", "169.254.169.254", "::1"])
async def test_a_name_resolving_to_a_private_address_is_refused(resolves, private_refused, address):
    resolves["bot.example"] = [address]
    with pytest.raises(OutboundRefused, match=f"bot.example resolves to {address}"):
        await post_json("http://bot.example/hook", {})


async def test_a_name_with_one_private_address_among_public_ones_is_refused(
    resolves, private_refused
):
    resolves["mixed.example"] = ["93.184.216.34", "127.0.0.1"]
    with pytest.raises(OutboundRefused, match=r"127\.0\.0\.1"):
        await post_json("http://mixed.example/hook", {})


@pytest.mark.parametrize("url", ["ftp://93.184.216.34/x", "file:///etc/passwd", "gopher://a/"])
async def test_only_http_and_https_are_allowed(url):
    with pytest.raises(OutboundRefused, match="only http and https"):
        await post_json(url, {})


async def test_a_json_post_reaches_the_target_and_its_answer_comes_back(target, private_allowed):
    target.answer("/hook", "pong", content_type="text/markdown; charset=utf-8")
    response = await post_json(target.url("/hook"), {"message": {"body": "ping ✓"}})
    assert (response.status, response.content_type, response.text) == (200, "text/markdown", "pong")
    [received] = target.received
    assert received.method == "POST"
    assert received.headers["Content-Type"] == "application/json"
    assert received.json() == {"message": {"body": "ping ✓"}}


async def test_the_request_goes_to_the_address_checked_with_the_name_as_host(
    target, resolves, private_allowed
):
    """No second resolution: the connection is made to the address the guard resolved and
    checked, and the target still sees the name it was asked for."""
    resolves["bot.example"] = ["127.0.0.1"]
    target.answer("/hook", "ok")
    response = await post_json(f"http://bot.example:{target.port}/hook", {})
    assert response.text == "ok"
    assert target.received[0].headers["Host"] == f"bot.example:{target.port}"


async def test_a_redirect_is_followed_and_checked_again(target, private_allowed):
    target.redirect("/old", "/new", status=307)
    target.answer("/new", "moved here")
    response = await post_json(target.url("/old"), {"n": 1})
    assert response.text == "moved here"
    assert [(r.method, r.path) for r in target.received] == [("POST", "/old"), ("POST", "/new")]
    assert target.received[1].json() == {"n": 1}


@pytest.mark.parametrize(
    "location", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[::1]/"]
)
async def test_a_redirect_to_a_private_address_is_refused(
    target, private_refused, monkeypatch, location
):
    # The local server stands for a public host here: only its own address is let through.
    refusal = outbound.address_refusal
    monkeypatch.setattr(
        outbound,
        "address_refusal",
        lambda address: None if str(address) == "127.0.0.1" else refusal(address),
    )
    target.redirect("/hook", location)
    with pytest.raises(OutboundRefused, match=r"is a (link-local|private|loopback) address"):
        await post_json(target.url("/hook"), {})
    assert [r.path for r in target.received] == ["/hook"]


async def test_more_than_three_redirects_fail(target, private_allowed):
    for hop in range(5):
        target.redirect(f"/r{hop}", f"/r{hop + 1}")
    with pytest.raises(OutboundFailed, match="more than 3 redirects"):
        await post_json(target.url("/r0"), {})
    assert len(target.received) == 4


async def test_an_answer_larger_than_the_cap_is_refused_without_reading_it_all(
    target, private_allowed
):
    target.huge("/big", 10 * 1024 * 1024)
    with pytest.raises(OutboundFailed, match="larger than 65536 bytes"):
        await post_json(target.url("/big"), {})


async def test_an_answer_declaring_a_large_length_is_refused(target, private_allowed):
    target.answer("/big", b"y" * 70_000)
    with pytest.raises(OutboundFailed, match="larger than"):
        await post_json(target.url("/big"), {})
    response = await post_json(target.url("/big"), {}, max_bytes=100_000)
    assert len(response.text) == 70_000


async def test_a_compressed_answer_is_refused(target, private_allowed):
    target.answer("/gz", b"\x1f\x8b", content_type="text/plain")
    target.routes["/gz"].headers["Content-Encoding"] = "gzip"
    with pytest.raises(OutboundFailed, match="gzip-encoded"):
        await post_json(target.url("/gz"), {})


async def test_a_target_that_never_answers_times_out(target, private_allowed):
    target.hang("/slow")
    with pytest.raises(OutboundFailed, match=r"no answer within 0\.3 s"):
        await post_json(target.url("/slow"), {}, timeout_seconds=0.3)
    assert [r.path for r in target.received] == ["/slow"]


async def test_a_closed_port_fails_as_a_connection_error(private_allowed):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(OutboundFailed, match="cannot connect"):
        await post_json(f"http://127.0.0.1:{port}/", {})


@pytest.fixture
def ca(monkeypatch):
    """A certificate authority of the test's own, the only one outgoing requests trust."""
    authority = trustme.CA()
    client = ssl.create_default_context()
    authority.configure_trust(client)
    monkeypatch.setattr(outbound, "TLS_VERIFY", client)
    return authority


def tls_server(ca, name):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(name).configure_cert(context)
    return HttpTarget(tls=context)


async def test_https_connects_to_the_checked_address_and_verifies_the_name(
    ca, resolves, private_allowed
):
    resolves["bot.example"] = ["127.0.0.1"]
    with tls_server(ca, "bot.example") as target:
        target.answer("/hook", "over tls")
        response = await post_json(target.url("/hook", host="bot.example"), {})
    assert response.text == "over tls"
    assert target.received[0].headers["Host"] == f"bot.example:{target.port}"


async def test_https_to_a_certificate_of_another_name_fails(ca, resolves, private_allowed):
    resolves["bot.example"] = ["127.0.0.1"]
    with tls_server(ca, "other.example") as target:
        target.answer("/hook", "must not be read")
        with pytest.raises(OutboundFailed, match="certificate"):
            await post_json(target.url("/hook", host="bot.example"), {})


@pytest.mark.parametrize("host", ["2130706433", "0x7f.1", "127.1", "[0:0:0:0:0:ffff:7f00:1]"])
async def test_other_spellings_of_loopback_are_refused(target, private_refused, host):
    with pytest.raises(OutboundRefused, match="loopback"):
        await post_json(f"http://{host}:{target.port}/", {})
    assert target.received == []


def test_the_blocking_form_runs_its_own_loop(target, private_allowed):
    target.answer("/hook", "sync ok")
    assert outbound.post_json_blocking(target.url("/hook"), {}).text == "sync ok"
