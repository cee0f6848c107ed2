"""The organisers' register pages and the responsible unit's desk."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("projects", __name__, url_prefix="/projects")
