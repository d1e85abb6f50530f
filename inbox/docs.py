"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) that need no internet.

FastAPI's "self-hosting JavaScript and CSS for docs" recipe: the app is made with
``docs_url=None, redoc_url=None`` and these routes draw the pages with ``get_swagger_ui_html`` and
``get_redoc_html``, pointed at the Swagger UI and ReDoc files that the ``fastapi-offline`` package
ships (pinned in uv.lock), served from ``ASSETS``.

The pages also carry a Content-Security-Policy that lets them load nothing from another host.
ReDoc 2 draws a Redocly logo fetched from Redocly's CDN at the foot of its menu; the policy keeps
the browser from asking for it (ReDoc then leaves the logo out), and it stops Swagger UI's online
spec validator the same way, should a setting ever turn it on.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"
SWAGGER_JS, SWAGGER_CSS, REDOC_JS, FAVICON = "swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png"
# inline script and style: FastAPI's pages start Swagger UI and ReDoc with an inline <script>, and
# both libraries set styles inline; ReDoc runs its search in a worker made from a blob: URL
PAGE_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; "
               "object-src 'none'; base-uri 'self'; frame-ancestors 'self'")


def add_docs(api: FastAPI) -> None:
    """Serve ``/docs``, its OAuth2 redirect page and ``/redoc`` on ``api`` (made with
    ``docs_url=None, redoc_url=None``), and the files they load under ``ASSETS``."""
    api.mount(ASSETS, StaticFiles(packages=[("fastapi_offline", "static")]), name="docs-assets")
    redirect_url = api.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"

    def asset(request: Request, name: str) -> str:
        return f"{request.scope.get('root_path', '')}{ASSETS}/{name}"

    def openapi_url(request: Request) -> str:
        return f"{request.scope.get('root_path', '')}{api.openapi_url}"

    async def swagger_ui(request: Request) -> HTMLResponse:
        return _confined(get_swagger_ui_html(
            openapi_url=openapi_url(request), title=f"{api.title} - Swagger UI",
            swagger_js_url=asset(request, SWAGGER_JS), swagger_css_url=asset(request, SWAGGER_CSS),
            swagger_favicon_url=asset(request, FAVICON), oauth2_redirect_url=redirect_url,
            swagger_ui_parameters={**(api.swagger_ui_parameters or {}), "validatorUrl": None}))

    async def swagger_ui_redirect(_request: Request) -> HTMLResponse:
        return _confined(get_swagger_ui_oauth2_redirect_html())

    async def redoc(request: Request) -> HTMLResponse:
        return _confined(get_redoc_html(
            openapi_url=openapi_url(request), title=f"{api.title} - ReDoc", redoc_js_url=asset(request, REDOC_JS),
            redoc_favicon_url=asset(request, FAVICON), with_google_fonts=False))

    # plain routes (GET and HEAD), outside the OpenAPI schema, as FastAPI adds its own docs pages
    api.add_route("/docs", swagger_ui, include_in_schema=False)
    api.add_route(redirect_url, swagger_ui_redirect, include_in_schema=False)
    api.add_route("/redoc", redoc, include_in_schema=False)


def _confined(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = PAGE_POLICY
    return page
