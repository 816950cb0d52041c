"""``GET /healthz`` for load balancers and monitoring (DESIGN.md): 200 when the database and search
answer, 503 naming the part that does not. Public, never cached, not rate limited."""

from flask import Blueprint, jsonify

from portal import health
from portal.extensions import limiter

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    report = health.status()
    response = jsonify(report)
    response.status_code = 200 if report["status"] == health.OK else 503
    response.headers["Cache-Control"] = "no-store"
    return response
