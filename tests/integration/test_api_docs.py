"""/docs and /redoc with no internet: Swagger UI and ReDoc come from the API itself, never a CDN.

The files are the ones the ``fastapi-offline`` package ships (pinned in uv.lock), served under
``/docs/assets``. The pages are read over a real socket; the browser test loads them in Debian's
Chromium with every request to another host refused, and finds the operations drawn.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from inbox.docs import ASSETS, PAGE_POLICY
from apiserver import serve
from browsers import chromium
from services import make_app

pytestmark = pytest.mark.integration

DOCS_HOST = "docs.coi.test"
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
# every URL a page names: src= and href= attributes, and quoted strings in its inline script
URL_IN_PAGE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|["'`]((?:https?:)?//[^"'`\s]+)["'`]""")


@pytest.fixture(scope="module")
def api_url(tmp_path_factory) -> Iterator[str]:
    """The API on a free loopback port (the docs need no database, broker or storage of their own)."""
    app = make_app(tmp_path_factory.mktemp("docs"))
    try:
        with serve(app) as url:
            yield url
    finally:
        app.close()


def urls_in(html: str) -> list[str]:
    return [a or b for a, b in URL_IN_PAGE.findall(html)]


@pytest.mark.parametrize(("page", "library"), [("/docs", "SwaggerUIBundle"), ("/redoc", "Redoc")])
def test_given_the_api_then_its_docs_page_names_only_its_own_urls_and_each_asset_is_served(api_url, page, library):
    """Given the API, when /docs or /redoc is fetched, then every script, stylesheet and icon the
    page names is on the API's own host (no CDN, no Google Fonts), and each is served, the script
    being the library itself."""
    html = httpx.get(api_url + page).raise_for_status().text
    named = [urljoin(api_url + page, url) for url in urls_in(html)]
    assert named, "the page names no asset at all: the test would prove nothing"
    assert [url for url in named if urlsplit(url).netloc != urlsplit(api_url).netloc] == [], \
        f"{page} loads from other hosts"

    assets = [url for url in named if urlsplit(url).path.startswith(ASSETS + "/")]
    scripts = [url for url in assets if url.endswith(".js")]
    assert scripts, f"{page} names no script under {ASSETS}"
    for url in assets:
        answer = httpx.get(url)
        assert answer.status_code == 200, url
        assert answer.content, url
    library_code = "".join(httpx.get(url).text for url in scripts)
    assert all("javascript" in httpx.head(url).headers["content-type"] for url in scripts)
    assert library in library_code and len(library_code) > 100_000, f"{page}'s script is not {library}"


def test_given_the_oauth2_redirect_page_then_it_names_no_other_host(api_url):
    html = httpx.get(api_url + "/docs/oauth2-redirect").raise_for_status().text
    assert [u for u in urls_in(html) if urlsplit(u).netloc] == []


@pytest.fixture(scope="module")
def browser():
    # the API under a name that is not localhost, as in production (Swagger UI treats localhost apart)
    with chromium(f"--host-resolver-rules=MAP {DOCS_HOST} 127.0.0.1") as launched:
        yield launched


@pytest.mark.parametrize(("page", "operation"), [
    ("/docs", ".opblock-summary-description:text-is('Start an upload')"),
    ("/redoc", "h2:text-is('Start an upload')"),
])
def test_given_no_network_beyond_the_api_then_the_docs_page_draws_the_operations(api_url, browser, page, operation):
    """Given a browser that may reach only the API's host, when it opens /docs or /redoc, then the
    page draws the API's operations, and it asked no other host for anything."""
    own = f"{DOCS_HOST}:{urlsplit(api_url).port}"
    refused: list[str] = []
    console: list[str] = []
    context = browser.new_context()
    try:
        def only_the_api(route):
            if urlsplit(route.request.url).netloc == own:
                route.continue_()
            else:
                refused.append(route.request.url)
                route.abort("internetdisconnected")

        context.route("**/*", only_the_api)
        tab = context.new_page()
        tab.on("console", lambda message: console.append(message.text))
        answer = tab.goto(f"http://{own}{page}")
        assert answer.headers["content-security-policy"] == PAGE_POLICY
        tab.locator(operation).first.wait_for(state="visible", timeout=20_000)
        assert tab.locator(operation).count() >= 1
    finally:
        context.close()
    assert refused == [], f"{page} asked other hosts for {refused}"
    # what the page's policy stopped: ReDoc's Redocly logo, hard-coded to Redocly's CDN, and nothing else
    stopped = [text for text in console if "Content Security Policy" in text]
    assert all(REDOCLY_LOGO in text for text in stopped), stopped
