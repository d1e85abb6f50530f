"""Where a webhook may point (workers/webhooks.py): public addresses only, checked when it is
registered and at every try, with the POST pinned to the address that was checked."""

from __future__ import annotations

import ipaddress
import socket

import httpx
import pytest

from infra.settings import Settings
from workers.targets import TargetRefused, check_target, check_url, checked_addresses, refusal
from workers.webhooks import _post

PUBLIC_V4, PUBLIC_V6 = "93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"


@pytest.mark.parametrize("address, kind", [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"), ("fd12:3456::1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("224.0.0.1", "multicast"), ("224.0.1.1", "multicast"), ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("240.0.0.1", "reserved"), ("255.255.255.255", "reserved"),
    ("100.64.0.1", "special-purpose"), ("198.18.0.1", "private"), ("192.88.99.1", "special-purpose"),
    ("::ffff:127.0.0.1", "IPv4-mapped form of 127.0.0.1"), ("::ffff:169.254.169.254", "link-local"),
    ("::ffff:10.0.0.1", "private"), ("2002:7f00:1::1", "6to4 form of 127.0.0.1"),
    ("2002:a9fe:a9fe::", "6to4 form of 169.254.169.254"), ("64:ff9b::a00:1", "NAT64 form of 10.0.0.1"),
    ("::127.0.0.1", "IPv4-compatible form of 127.0.0.1"),
])
def test_given_a_non_public_address_then_it_is_refused_with_its_kind(address, kind):
    why = refusal(ipaddress.ip_address(address))
    assert why is not None and kind in why


@pytest.mark.parametrize("address", [PUBLIC_V4, "8.8.8.8", PUBLIC_V6, "::ffff:8.8.8.8", "2002:808:808::1",
                                     "64:ff9b::808:808"])
def test_given_a_public_address_in_any_form_then_it_is_allowed(address):
    assert refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("url", ["https://127.0.0.1/x", "https://[::1]:8443/x", "https://localhost/x",
                                 "https://hooks.localhost/x", "http://169.254.169.254/latest/meta-data/",
                                 "https://10.0.0.7/hook", "https://[::ffff:a9fe:a9fe]/x", "https://0.0.0.0/x"])
def test_given_a_literal_non_public_host_then_registration_is_refused_without_dns(url):
    problem = check_url(url, allow_http=True)
    assert problem is not None and "public addresses only" in problem and "COI_WEBHOOK_ALLOW_PRIVATE" in problem


def test_given_private_targets_allowed_then_loopback_may_use_plain_http_but_other_hosts_may_not():
    assert check_url("http://127.0.0.1:9000/x", allow_http=False, allow_private=True) is None
    assert check_url("http://localhost:9000/x", allow_http=False, allow_private=True) is None
    assert "HTTPS" in check_url("http://10.0.0.7/x", allow_http=False, allow_private=True)
    assert check_url("https://10.0.0.7/x", allow_http=False, allow_private=True) is None


def fake_dns(answers: dict[str, list[str]]):
    calls: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return answers[host]

    resolver.calls = calls
    return resolver


def test_given_a_name_with_any_private_address_then_it_is_refused_naming_that_address():
    dns = fake_dns({"hooks.example.com": [PUBLIC_V4, "10.0.0.5"], "ok.example.com": [PUBLIC_V4, PUBLIC_V6]})
    problem = check_target("https://hooks.example.com/coi", allow_http=False, allow_private=False, resolver=dns)
    assert problem.startswith("hooks.example.com resolves to 10.0.0.5, which is not a public address (a private")
    assert check_target("https://ok.example.com/coi", allow_http=False, allow_private=False, resolver=dns) is None


def test_given_a_name_that_does_not_resolve_then_registration_says_so():
    problem = check_target("https://nowhere.example/coi", allow_http=False, allow_private=False, resolver=fake_dns({}))
    assert problem.startswith("The host nowhere.example cannot be resolved")


def test_given_a_decimal_spelling_of_loopback_then_the_resolved_address_is_refused():
    problem = check_target("https://2130706433/coi", allow_http=False, allow_private=False)  # 127.0.0.1
    assert problem is not None and "127.0.0.1" in problem and "loopback" in problem


def test_given_private_targets_allowed_then_addresses_are_not_judged():
    dns = fake_dns({"intranet.test": ["10.0.0.5"]})
    assert checked_addresses("intranet.test", 443, True, dns) == ["10.0.0.5"]
    with pytest.raises(TargetRefused):
        checked_addresses("intranet.test", 443, False, dns)


# -- at delivery: resolve once, check, connect to the checked address --------------------------------


class Recorder:
    """An httpx transport that answers every request with ``status`` and keeps what it was sent."""

    def __init__(self, status: int = 204, headers: dict[str, str] | None = None, body: bytes = b""):
        self.requests: list[httpx.Request] = []
        self.transport = httpx.MockTransport(self.answer)
        self.status, self.headers, self.body = status, headers or {}, body

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, headers=self.headers, content=self.body)


def post(url: str, resolver, recorder: Recorder, **settings) -> str | None:
    return _post(url, "whsec_x", "evt_1", b"{}", Settings(**settings), resolver, recorder.transport)


def test_given_a_public_name_then_the_post_goes_to_the_checked_address_with_the_name_as_host_and_sni():
    dns, sent = fake_dns({"hooks.example.com": [PUBLIC_V4]}), Recorder()
    assert post("https://hooks.example.com:8443/coi?x=1", dns, sent) is None
    [request] = sent.requests
    assert request.url.host == PUBLIC_V4 and request.url.port == 8443 and request.url.raw_path == b"/coi?x=1"
    assert request.headers["Host"] == "hooks.example.com:8443"
    assert request.extensions["sni_hostname"] == "hooks.example.com"  # the certificate is checked against the name
    assert dns.calls == ["hooks.example.com"]  # resolved once: nothing resolves the name again


def test_given_dns_now_answers_a_private_address_then_the_delivery_is_refused_and_nothing_is_sent():
    dns, sent = fake_dns({"hooks.example.com": ["169.254.169.254"]}), Recorder()
    with pytest.raises(TargetRefused, match="169.254.169.254.*link-local"):
        post("https://hooks.example.com/coi", dns, sent)
    assert sent.requests == []


def test_given_a_literal_private_url_and_private_targets_no_longer_allowed_then_it_is_refused_at_delivery():
    sent = Recorder()
    with pytest.raises(TargetRefused, match="loopback"):
        post("http://127.0.0.1:9000/coi", fake_dns({"127.0.0.1": ["127.0.0.1"]}), sent)
    assert sent.requests == []


def test_given_a_redirect_then_it_is_not_followed_and_the_try_fails_saying_why():
    dns = fake_dns({"hooks.example.com": [PUBLIC_V4]})
    sent = Recorder(302, {"Location": "http://169.254.169.254/latest/meta-data/"})
    error = post("https://hooks.example.com/coi", dns, sent)
    assert error.startswith("HTTP 302") and "redirects are not followed" in error
    assert len(sent.requests) == 1


def test_given_a_huge_error_answer_then_only_a_short_excerpt_is_kept():
    sent = Recorder(500, body=b"x" * 5_000_000)
    error = post("https://hooks.example.com/coi", fake_dns({"hooks.example.com": [PUBLIC_V4]}), sent)
    assert error.startswith("HTTP 500: xxx") and len(error) < 300


def test_given_dns_fails_at_delivery_then_the_try_fails_and_may_be_retried():
    error = post("https://hooks.example.com/coi", fake_dns({}), Recorder())
    assert error.startswith("DNS: hooks.example.com cannot be resolved")
