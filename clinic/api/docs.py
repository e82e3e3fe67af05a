"""Swagger UI and ReDoc under the site's Content-Security-Policy, without 'unsafe-inline'.

drf-spectacular's own pages start the viewers with inline scripts and styles, which the
policy blocks (the pages stayed blank). Here every script and style is a file of ours or of
drf-spectacular-sidecar: Swagger UI's start-up script comes from the split view's
`?script` response, ReDoc's from static/api_docs/redoc-init.js. On the ReDoc page only:
the styles ReDoc writes while it runs carry the response's nonce; the two it writes as its
bundle loads, before it can know the nonce, are allowed by their hashes; its search runs in
a worker built from a blob: URL; and its sidebar's one image is Redocly's logo, hard-coded
to their CDN. A sidecar upgrade that changes these fails tests/browser/test_api_docs.py,
whose message quotes the browser's complaint (with the new hash).
"""

from csp.constants import NONCE, SELF
from csp.decorators import csp_update
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


def swagger_view():
    return SpectacularSwaggerSplitView.as_view(
        url_name="api-schema", template_name="api_docs/swagger_ui.html"
    )


# perfect-scrollbar's stylesheet, and the empty <style> element it is first written into.
REDOC_LOAD_STYLES = [
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
]
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def redoc_view():
    view = SpectacularRedocView.as_view(url_name="api-schema", template_name="api_docs/redoc.html")
    return csp_update(
        {
            "style-src": [NONCE, *REDOC_LOAD_STYLES],
            "worker-src": [SELF, "blob:"],
            "img-src": [REDOC_LOGO],
        }
    )(view)
