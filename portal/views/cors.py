"""CORS for the read-only API: any web page may read /api/ (its errors and /api/openapi.json too).

Nothing under /api/ uses cookies or changes data, so ``Access-Control-Allow-Origin: *`` is safe; a
preflight (OPTIONS) is answered for GET only.
"""

from flask import Flask, Response, request

PREFIX = "/api/"
EXPOSED = "Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"


def _allow(response: Response) -> Response:
    if request.path.startswith(PREFIX):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            asked = request.headers.get("Access-Control-Request-Headers")
            if asked:
                response.headers["Access-Control-Allow-Headers"] = asked
            response.headers["Access-Control-Max-Age"] = "86400"
        response.vary.add("Origin")
    return response


def install(app: Flask) -> None:
    app.after_request(_allow)
