"""Who is asking: the client's address and the request's id, for throttling, logs and the audit trail.

- The address is what ``ProxyFix`` made of ``X-Forwarded-For`` (with ``PROXY_COUNT`` proxies), which a
  client can fill with anything: only a well-formed IP address is used, else "unknown".
- The request id is the incoming ``X-Request-ID`` when it is well formed (a proxy's), else a new one;
  ``portal.logs`` sends it back in the response and writes it into every log line.
"""

import ipaddress
import re
import uuid

from flask import g, has_app_context, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
WELL_FORMED_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")


def client_address() -> str | None:
    """The client's IP address, "unknown" when malformed, None outside a request (command line)."""
    if not has_request_context():
        return None
    try:
        return str(ipaddress.ip_address((request.remote_addr or "").strip()))
    except ValueError:
        return "unknown"


def request_id() -> str | None:
    """This request's id (None outside a request)."""
    if not has_app_context():
        return None
    if "request_id" not in g and has_request_context():
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if WELL_FORMED_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    return g.get("request_id")
