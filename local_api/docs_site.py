"""``GET /openapi.json`` and ``GET /docs``: the API's description, served by ``make serve``.

The document is :func:`infra.openapi.document` for the operations registered
now (reloaded code included), its server being this one, so the docs page's
"Try it out" sends to the local API. The page is Swagger UI from the
``swagger-ui-bundle`` package: its assets are served from the installed
package, never from a CDN.
"""

from __future__ import annotations

import json
from pathlib import Path

import swagger_ui_bundle  # type: ignore[import-untyped]

from infra import openapi
from infra.settings import Settings
from local_api.code import FunctionCode
from local_api.gateway import HttpResponse
from local_api.proxy_event import HttpRequest

DOCUMENT_PATH = "/openapi.json"
DOCS_PATH = "/docs"
ASSETS = Path(swagger_ui_bundle.swagger_ui_path)
#: The Swagger UI files the page loads, and their content types.
ASSET_TYPES = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "favicon-32x32.png": "image/png",
}

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title}</title>
  <link rel="stylesheet" href="{docs}/swagger-ui.css">
  <link rel="icon" type="image/png" href="{docs}/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{docs}/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({{
      url: "{document}",
      dom_id: "#swagger-ui",
      docExpansion: "full",
      defaultModelsExpandDepth: 1,
      tryItOutEnabled: false,
      displayRequestDuration: true
    }});
  </script>
</body>
</html>
"""


class DocsSite:
    """Answers the description's paths; the rest of the server's requests go elsewhere."""

    def __init__(self, settings: Settings, code: FunctionCode, stack: str) -> None:
        self.settings = settings
        self.code = code
        self.stack = stack

    def answer(self, request: HttpRequest) -> HttpResponse | None:
        """The answer for ``request``, or ``None`` when it is not for the description."""
        path = request.path.rstrip("/") or "/"
        if request.method not in ("GET", "HEAD"):
            return None
        if path == DOCUMENT_PATH:
            body = json.dumps(self.document(), indent=2).encode()
            return HttpResponse(200, [("Content-Type", "application/json")], body)
        if path == DOCS_PATH:
            page = PAGE.format(
                title=f"{openapi.TITLE} (stack {self.stack})",
                docs=DOCS_PATH,
                document=DOCUMENT_PATH,
            )
            return HttpResponse(200, [("Content-Type", "text/html; charset=utf-8")], page.encode())
        asset = path.removeprefix(f"{DOCS_PATH}/")
        if asset in ASSET_TYPES and path != asset:
            return HttpResponse(
                200,
                [("Content-Type", ASSET_TYPES[asset]), ("Cache-Control", "max-age=3600")],
                (ASSETS / asset).read_bytes(),
            )
        return None

    def document(self) -> dict[str, object]:
        """The OpenAPI document of the operations registered now, served from this server."""
        with self.code.use() as loaded:
            operations = loaded.operations
        return openapi.document(
            operations,
            self.settings,
            servers=[{"url": "/", "description": "this local server (make serve)"}],
        )
