"""The one way Parley makes a request to a URL someone else chose (bots' webhooks, Web Push).

A URL typed by a user must not make the server reach what only the server can reach: its own
loopback, the private network, the cloud's metadata service at 169.254.169.254. So the guard

- resolves the host itself (getaddrinfo in a thread) and refuses the request when any address
  it resolves to is not a public unicast one (`address_refusal`: private, loopback, link-local,
  multicast, reserved, unspecified, shared, IPv4 inside IPv6 included), unless
  `settings.PARLEY_ALLOW_PRIVATE_TARGETS` is true (development, tests);
- connects to the very address it checked: the request goes to `https://<ip>/…` with the
  original `Host` header and the original name as TLS server name (httpcore's `sni_hostname`
  extension, which the certificate is also verified against), so no second resolution can
  answer differently (DNS rebinding); environment proxies are ignored (`trust_env=False`);
- follows at most MAX_REDIRECTS redirects itself, checking each target the same way;
- takes http and https only, a total deadline for everything (resolution included), and reads
  at most `max_bytes` of the answer (streamed: it stops reading beyond), without content
  coding (it asks for `identity`, and refuses a compressed answer rather than inflate one).

It answers an OutboundResponse, or raises OutboundRefused (the target is not allowed: nothing
was sent there) or OutboundFailed (it was tried: timeout, connection error, too big).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
import ssl
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings

DEFAULT_TIMEOUT = 5.0
DEFAULT_MAX_BYTES = 64 * 1024
MAX_REDIRECTS = 3
REDIRECTS = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "Parley (outgoing webhook)"

# What TLS certificates are checked against: httpx's default (certifi's CA bundle); tests
# replace it with a context that trusts their own CA.
TLS_VERIFY: ssl.SSLContext | bool = True

# getaddrinfo blocks and cannot be cancelled: it runs in these threads, and a request that
# times out stops waiting for it (the thread finishes on its own).
_resolver = ThreadPoolExecutor(max_workers=8, thread_name_prefix="parley-resolve")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 prefixes that carry an IPv4 address in their last 32 bits (NAT64's well-known prefix).
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundError(Exception):
    """An outgoing request that gave no usable answer; `str()` says why, for people."""


class OutboundRefused(OutboundError):
    """The target is not allowed (scheme, address, redirect): nothing was sent to it."""


class OutboundFailed(OutboundError):
    """The request was tried and failed: timeout, connection error, answer too big."""


@dataclass(frozen=True, slots=True)
class OutboundResponse:
    status: int
    content_type: str  # the media type, lower case, without parameters ("" if none)
    text: str
    url: str  # the URL that answered (after redirects)
    # The answer's headers, names in lower case (a push service's Retry-After).
    headers: dict[str, str] = field(default_factory=dict)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_refusal(address: IPAddress) -> str | None:
    """Why a request must not go to `address` ("private", "loopback", …), or None: a public
    unicast address. An IPv6 address holding an IPv4 one (mapped, 6to4, Teredo, NAT64) is judged
    by that IPv4 address too."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            reason = address_refusal(inner)
            if reason is not None:
                return reason
    for reason, holds in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("not global", not address.is_global),
    ):
        if holds:
            return reason
    return None


def _allow_private() -> bool:
    return bool(getattr(settings, "PARLEY_ALLOW_PRIVATE_TARGETS", False))


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


async def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = await asyncio.wrap_future(
            _resolver.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
        )
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundFailed(f"cannot resolve {host}: {exc}") from exc
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        # An IPv6 sockaddr may carry a zone ("fe80::1%eth0"): link-local, refused anyway.
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise OutboundFailed(f"cannot resolve {host}")
    return addresses


async def checked_addresses(url: httpx.URL) -> list[IPAddress]:
    """The addresses `url` may be fetched from: its host resolved, every address allowed (one
    that is not refuses the whole URL: OutboundRefused)."""
    if url.scheme not in ("http", "https"):
        raise OutboundRefused(f"only http and https URLs are allowed, not {url.scheme or '?'!r}")
    host = url.raw_host.decode("ascii")
    if not host:
        raise OutboundRefused("the URL has no host")
    port = url.port or (443 if url.scheme == "https" else 80)
    addresses = await _resolve(host, port)
    if not _allow_private():
        for address in addresses:
            reason = address_refusal(address)
            if reason is not None:
                what = (
                    f"{address} is a {reason} address"
                    if _is_literal(host)
                    else f"{host} resolves to {address}, a {reason} address"
                )
                raise OutboundRefused(f"{what} (PARLEY_ALLOW_PRIVATE_TARGETS is off)")
    return addresses


def _media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise OutboundFailed(f"the answer is {encoding}-encoded; Parley asks for identity")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise OutboundFailed(f"the answer is larger than {max_bytes} bytes")
    body = bytearray()
    async for chunk in response.aiter_raw():
        body += chunk
        if len(body) > max_bytes:
            raise OutboundFailed(f"the answer is larger than {max_bytes} bytes")
    return bytes(body)


def _decode(raw: bytes, charset: str | None) -> str:
    try:
        return raw.decode(charset or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return raw.decode("utf-8", errors="replace")


async def _send_once(
    client: httpx.AsyncClient,
    *,
    method: str,
    url: httpx.URL,
    content: bytes | None,
    headers: dict[str, str],
    max_bytes: int,
) -> tuple[httpx.Response, bytes]:
    """One request to `url`, connected to an address checked here (tried in order)."""
    addresses = await checked_addresses(url)
    host = url.raw_host.decode("ascii")
    host_header = url.netloc.decode("ascii")
    extensions: dict[str, Any] = {}
    if url.scheme == "https":
        extensions["sni_hostname"] = host
    last_error: Exception | None = None
    for address in addresses:
        request = client.build_request(
            method,
            url.copy_with(host=str(address)),
            content=content,
            headers={**headers, "Host": host_header},
            extensions=extensions,
        )
        try:
            response = await client.send(request, stream=True)
        except httpx.ConnectError as exc:
            last_error = exc
            continue
        try:
            return response, await _read_capped(response, max_bytes)
        finally:
            await response.aclose()
    raise OutboundFailed(f"cannot connect to {host}: {last_error}")


async def post_json(
    url: str,
    payload: object,
    *,
    timeout_seconds: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> OutboundResponse:
    """POST `payload` as JSON to `url` through the guard (module docstring), within
    `timeout_seconds` in all. A 307/308 redirect repeats the POST, 301/302/303 become a GET
    (as browsers and httpx do)."""
    return await post(
        url,
        json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json"},
        timeout_seconds=timeout_seconds,
        max_bytes=max_bytes,
    )


async def post(
    url: str,
    content: bytes,
    *,
    headers: dict[str, str],
    timeout_seconds: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    user_agent: str = USER_AGENT,
) -> OutboundResponse:
    """POST `content` with `headers` to `url` through the guard, as `post_json` does."""
    headers = {**headers, "Accept-Encoding": "identity", "User-Agent": user_agent}
    try:
        target = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise OutboundRefused(f"not a valid URL: {exc}") from exc
    method: str = "POST"
    body: bytes | None = content
    try:
        async with (
            asyncio.timeout(timeout_seconds),
            httpx.AsyncClient(
                timeout=httpx.Timeout(timeout_seconds),
                follow_redirects=False,
                trust_env=False,
                verify=TLS_VERIFY,
            ) as client,
        ):
            for _hop in range(MAX_REDIRECTS + 1):
                response, raw = await _send_once(
                    client,
                    method=method,
                    url=target,
                    content=body,
                    headers=headers,
                    max_bytes=max_bytes,
                )
                location = response.headers.get("location")
                if response.status_code not in REDIRECTS or not location:
                    return OutboundResponse(
                        status=response.status_code,
                        content_type=_media_type(response.headers.get("content-type", "")),
                        text=_decode(raw, response.charset_encoding),
                        url=str(target),
                        headers=dict(response.headers),
                    )
                try:
                    target = target.join(location)
                except httpx.InvalidURL as exc:
                    raise OutboundRefused(f"invalid redirect: {exc}") from exc
                if response.status_code in (301, 302, 303):
                    method, body = "GET", None
                    headers = {
                        k: v
                        for k, v in headers.items()
                        if k.lower() not in ("content-type", "content-encoding")
                    }
            raise OutboundFailed(f"more than {MAX_REDIRECTS} redirects")
    except TimeoutError as exc:
        raise OutboundFailed(f"no answer within {timeout_seconds:g} s") from exc
    except httpx.TimeoutException as exc:
        raise OutboundFailed(f"no answer within {timeout_seconds:g} s") from exc
    except httpx.HTTPError as exc:
        raise OutboundFailed(f"request failed: {exc}") from exc


def post_json_blocking(
    url: str,
    payload: object,
    *,
    timeout_seconds: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> OutboundResponse:
    """`post_json` from a thread that runs no event loop (a worker thread), on a loop of its
    own for this one request."""
    return asyncio.run(
        post_json(url, payload, timeout_seconds=timeout_seconds, max_bytes=max_bytes)
    )
