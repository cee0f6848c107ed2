"""Endpoints about the service itself: health and the OpenAPI description."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint
from sqlalchemy import text

from votesys.extensions import db

bp = Blueprint("meta", __name__, url_prefix="/api")
OPENAPI = Path(__file__).with_name("openapi.json")


@bp.get("/v1/health")
def health():
    """200 once the app can serve: the database answers."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.get("/openapi.json")
def openapi():
    return json.loads(OPENAPI.read_text(encoding="utf-8"))
