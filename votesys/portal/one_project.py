"""One project as the public reads it, found by its ref: its detail and its timeline."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload, undefer

from votesys.clock import iso_day as _d
from votesys.congress.models import CongressSession
from votesys.errors import NotFound
from votesys.extensions import db
from votesys.portal.listing import row
from votesys.projects import citizen_ratings, present, rules
from votesys.projects.models import ChangeRequest, Photo, Project, Report, SupervisionRecord
from votesys.stations.models import Opinion
from votesys.voting import present as voting_present
from votesys.voting.models import Candidate, RatedProject, Vote, VoteCandidate
from votesys.voting.rule_words import rule_text


def project_by_ref(ref: str) -> Project:
    project = db.session.scalar(
        select(Project)
        .where(Project.ref == ref[:48])
        .options(
            joinedload(Project.jurisdiction),
            joinedload(Project.unit),
            selectinload(Project.targets),
            selectinload(Project.milestones),
            selectinload(Project.funding),
            selectinload(Project.stages),
        )
    )
    if project is None:
        raise NotFound("not_found")
    return project


def photo_by_ref(ref: str, photo_id: int) -> Photo:
    """A photo of one of the reports of the project found by its ref (as project_by_ref
    finds it), with its bytes: one statement, the project's parts not loaded."""
    photo = db.session.scalar(
        select(Photo)
        .join(Report, Report.id == Photo.report_id)
        .join(Project, Project.id == Report.project_id)
        .where(Project.ref == ref[:48], Photo.id == photo_id)
        .options(undefer(Photo.data))
    )
    if photo is None:
        raise NotFound("not_found")
    return photo


def project_detail(p: Project, today: date | None = None) -> dict[str, Any]:
    """Everything the public may know of a project, and its whole trace as one timeline."""
    reports = list(
        db.session.scalars(
            select(Report)
            .where(Report.project_id == p.id)
            .options(
                selectinload(Report.values),
                selectinload(Report.spending),
                selectinload(Report.photos).load_only(
                    Photo.id, Photo.report_id, Photo.width, Photo.height
                ),
            )
            .order_by(Report.reported_on.desc(), Report.id.desc())
        )
    )
    changes = list(
        db.session.scalars(
            select(ChangeRequest)
            .where(ChangeRequest.project_id == p.id, ChangeRequest.state == "approved")
            .order_by(ChangeRequest.decided_at, ChangeRequest.id)
        )
    )
    supervision = list(
        db.session.scalars(
            select(SupervisionRecord)
            .where(SupervisionRecord.project_id == p.id)
            .order_by(SupervisionRecord.held_on, SupervisionRecord.id)
        )
    )
    spent = {s.source: s.amount_wan for s in reports[0].spending} if reports else {}
    total = sum((f.amount_wan for f in p.funding), Decimal("0.00"))
    shares = rules.shares({f.source: f.amount_wan for f in p.funding}) if total else {}
    out = (
        row(p, today)
        | present.plan(p, ids=False)
        | {
            "summary": p.summary,
            "funding": [
                {
                    "source": f.source,
                    "amount_wan": rules.wan(f.amount_wan),
                    "share": str(shares.get(f.source, "")),
                    "spent_wan": rules.wan(spent.get(f.source)),
                }
                for f in p.funding
            ],
            "spent_wan": rules.wan(sum(spent.values(), Decimal("0.00"))),
            "reports": [
                {
                    "reported_on": _d(r.reported_on),
                    "status": r.status,
                    "progress": r.progress,
                    "narrative": r.narrative,
                    "correction": r.correction,
                    "photos": [
                        {"id": ph.id, "width": ph.width, "height": ph.height} for ph in r.photos
                    ],
                }
                for r in reports
            ],
            "changes": [
                {
                    "kind": c.kind,
                    "reason": c.reason,
                    "decision_ref": c.decision_ref,
                    "decided_on": _d(c.decided_at),
                }
                for c in changes
            ],
            "supervision": [
                {"kind": s.kind, "held_on": _d(s.held_on), "text": s.text} for s in supervision
            ],
            "origin": _origin(p),
            "vote": _vote_of(p),
            "ratings": _ratings_of(p),
            # 群众满意度: the citizens' own ratings, apart from the deputies' ("ratings")
            "citizens": citizen_ratings.counts_of(p.id),
            "citizens_open": citizen_ratings.ratable(p),
        }
    )
    out["timeline"] = timeline(out)
    return out


def _origin(p: Project) -> dict[str, Any]:
    """The citizens' opinions the project came from: counts and titles, nothing personal."""
    if p.candidate_id is None:
        return {"opinions": 0, "titles": [], "first_received": None}
    found = db.session.execute(
        select(Opinion.title, Opinion.received_on)
        .where(Opinion.candidate_id == p.candidate_id)
        .order_by(Opinion.received_on, Opinion.id)
    ).all()
    return {
        "opinions": len(found),
        "titles": [title for title, _ in found],
        "first_received": _d(found[0][1]) if found else None,
    }


def _vote_of(p: Project) -> dict[str, Any] | None:
    """The published vote that approved the project: its figures and its rule."""
    if p.vote_id is None or p.candidate_id is None:
        return None
    found = db.session.execute(
        select(Vote, VoteCandidate, Candidate, CongressSession)
        .join(VoteCandidate, VoteCandidate.vote_id == Vote.id)
        .join(Candidate, Candidate.id == VoteCandidate.candidate_id)
        .join(CongressSession, CongressSession.id == Vote.session_id)
        .where(Vote.id == p.vote_id, VoteCandidate.candidate_id == p.candidate_id)
    ).first()
    if found is None or found[0].state != "published":
        return None
    vote, entry, candidate, sess = found
    candidates = db.session.scalar(
        select(func.count()).select_from(VoteCandidate).where(VoteCandidate.vote_id == vote.id)
    )
    out = {
        "id": vote.id,
        "title": vote.title,
        "session": sess.name,
        "held_on": _d(sess.date),
        "published_on": _d(vote.published_at),
        "candidate_title": candidate.title,
        "candidates": candidates,
        "seats": vote.seats,
        "base": vote.base,
        "rule": rule_text(vote),
        "total_deputies": vote.total_deputies,
        "present": vote.present_at_open,
        "threshold": vote.threshold,
        "valid_ballots": vote.valid_ballots,
        "for": entry.votes_for,
        "against": entry.votes_against,
        "abstain": entry.votes_abstain,
        "rank": entry.rank,
        "approved": entry.approved,
    }
    out["percent"] = voting_present.percents(out, voting_present.base_size_of(vote))
    return out


def _ratings_of(p: Project) -> list[dict[str, Any]]:
    """满意度测评: the published rating votes of the project, oldest first."""
    found = db.session.execute(
        select(Vote, VoteCandidate)
        .join(VoteCandidate, VoteCandidate.vote_id == Vote.id)
        .join(RatedProject, RatedProject.candidate_id == VoteCandidate.candidate_id)
        .where(RatedProject.project_id == p.id, Vote.state == "published")
        .order_by(Vote.published_at)
    ).all()
    return [
        {
            "vote": vote.id,
            "title": vote.title,
            "published_on": _d(vote.published_at),
            "satisfied": e.votes_for,
            "basically_satisfied": e.votes_basic,
            "unsatisfied": e.votes_against,
            "rating": e.rating,
        }
        for vote, e in found
    ]


def timeline(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """The trace in date order: opinions, the vote, the plan, milestones, reports, approved
    changes, supervision and ratings. Each event: ``on`` (ISO date or None), ``event`` (its
    type) and its data."""
    events: list[dict[str, Any]] = []
    origin = detail["origin"]
    if origin["opinions"]:
        events.append({"on": origin["first_received"], "event": "opinions", **origin})
    if detail["vote"]:
        events.append({"on": detail["vote"]["held_on"], "event": "vote", **detail["vote"]})
    if detail["planned_start"]:
        events.append({"on": detail["planned_start"], "event": "start"})
    for m in detail["milestones"]:
        events.append({"on": m["done_on"] or m["planned_date"], "event": "milestone", **m})
    for r in detail["reports"]:
        events.append({"on": r["reported_on"], "event": "report", **r})
    for c in detail["changes"]:
        events.append({"on": c["decided_on"], "event": "change", **c})
    for s in detail["supervision"]:
        events.append({"on": s["held_on"], "event": "supervision", **s})
    for r in detail["ratings"]:
        events.append({"on": r["published_on"], "event": "rating", **r})
    if detail["planned_finish"]:
        events.append({"on": detail["planned_finish"], "event": "finish"})
    order = {k: i for i, k in enumerate(("opinions", "vote", "start", "milestone", "report"))}
    return sorted(events, key=lambda e: (e["on"] or "9999", order.get(e["event"], 9)))
