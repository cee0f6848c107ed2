"""Who may do what: every endpoint of the app × every role, and every endpoint that names an
object × the same roles of another jurisdiction.

The tables are keyed by endpoint name (``"blueprint.view"``, with `` POST``/`` DELETE`` when
the endpoint takes more than one method). A new route fails ``test_every_endpoint_has_a_row``
until it is given its row here. Each cell is the status the role gets for a request naming an
object of the home county 430212 (`tests/access_world.py`): a GET, or a POST/DELETE with an
empty form or JSON body. ``L`` is a redirect to a login page. For a role that may act, an
empty body is refused as invalid (422/400), a wrong state as 409, or a page redirects back
(302) with the error flashed: the point is that it got past the permission check; a 401, 403
or ``L`` is the permission check refusing it.
"""

from __future__ import annotations

import pytest

from tests.access_world import ACCOUNTS, World, build

L = "L"  # 302 to /login or /tablet/login
ROLES = ("anonymous", "deputy", "staff", "unit", "organiser", "admin")
# The same roles, of the neighbouring county 430299: they must not reach the home county's
# congress, sessions, votes, opinions, stations or projects.
OUTSIDERS = ("deputy_x", "staff_x", "unit_x", "organiser_x")

# Per endpoint, the URL arguments that are not named after what they hold.
ARGUMENT_OVERRIDES = {
    "public_stations.track": {"code": "tracking_code"},
    "public_stations.feedback": {"code": "tracking_code"},
    "stations_api.track": {"code": "tracking_code"},
    "stations_api.citizen_feedback": {"code": "tracking_code"},
    "stations_api.citizen_data": {"code": "tracking_code"},
    "stations_api.erase_contact": {"code": "tracking_code"},
    "stations_api.erase_photos": {"code": "tracking_code"},
    "stations_api.withdraw_publication": {"code": "tracking_code"},
    "public_stations.withdraw_publication": {"code": "tracking_code"},
    "public_stations.my_data": {"code": "tracking_code"},
    "public_stations.erase_confirm": {"code": "tracking_code"},
    "public_stations.erase": {"code": "tracking_code"},
    "public_stations.erase_photos": {"code": "tracking_code"},
    # No message in the world: a role that may see messages is told 404, the others refused.
    "stations.retry_message": {"message_id": "opinion_id"},
    "stations_api.jurisdiction_stats": {"code": "jurisdiction_code"},
    # No campaign in the world: looked up after the role's check, so 404 for those who may.
    "stations_api.public_adoption": {"campaign_id": "opinion_id"},
    "public_stations.adoption_page": {"campaign_id": "opinion_id"},
    "public_stations.adoption_download": {"campaign_id": "opinion_id"},
    "stations.campaign": {"campaign_id": "opinion_id"},
    "stations.edit_campaign": {"campaign_id": "opinion_id"},
    "projects_api.summary": {"code": "jurisdiction_code"},
    "projects_api.import_": {"code": "jurisdiction_code"},
    "jurisdiction_rules.edit": {"code": "jurisdiction_code"},
    "jurisdiction_rules_api.show": {"code": "jurisdiction_code"},
    "jurisdiction_rules_api.put": {"code": "jurisdiction_code"},
    # Not a receipt (the world casts no ballot): refused as malformed, whoever asks.
    "portal_api.receipt": {"receipt": "deputy_code"},
}

# Run last for each role: they end the role's session or tokens.
ENDS_LOGIN = ("auth_api.logout", "auth.logout")


def endpoint_keys(app) -> list[tuple[str, str, object]]:
    """(key, method, rule) for every endpoint and method of the app."""
    out = []
    for rule in app.url_map.iter_rules():
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        for method in methods:
            key = (
                rule.endpoint
                if len(methods) == 1 or method == "GET"
                else f"{rule.endpoint} {method}"
            )
            out.append((key, method, rule))

    def order(item):
        name = item[0].split(" ")[0]
        return (ENDS_LOGIN.index(name) if name in ENDS_LOGIN else -1, item[0])

    return sorted(out, key=order)


def url_for_rule(app, rule, ids: dict) -> str:
    overrides = ARGUMENT_OVERRIDES.get(rule.endpoint, {})
    values = {arg: ids[overrides.get(arg, arg)] for arg in rule.arguments}
    return app.url_map.bind("localhost").build(rule.endpoint, values)


class Caller:
    """A role's browser and API client at once: its session cookie and its bearer token
    go with every request (pages read only the cookie, the API only the token)."""

    def __init__(self, app, world: World, role: str) -> None:
        self.app, self.world, self.role = app, world, role
        self.login()

    def login(self) -> None:
        self.client = self.app.test_client()
        self.headers = {}
        if self.role in ("anonymous",):
            return
        login, secret = ACCOUNTS[self.role], self.world.secret(self.role)
        if self.role.startswith("deputy"):
            r = self.client.post("/tablet/login", data={"code": login, "pin": secret})
        else:
            r = self.client.post("/login", data={"login": login, "password": secret})
        assert r.status_code == 302, (self.role, r.status_code)
        r = self.client.post("/api/v1/auth/token", json={"login": login, "password": secret})
        assert r.status_code == 201
        self.headers = {"Authorization": f"Bearer {r.get_json()['token']}"}

    def call(self, method: str, rule) -> object:
        url = url_for_rule(self.app, rule, self.world.ids)
        kwargs = {"headers": self.headers}
        if method == "POST":
            if rule.rule.startswith("/api/"):
                kwargs["json"] = {}
            else:
                kwargs["data"] = {}
        response = self.client.open(url, method=method, **kwargs)
        if response.status_code == 302:
            where = response.headers["Location"]
            if "/login" in where and not where.endswith(url):
                return L
        return response.status_code


def observe(app, roles) -> dict[str, dict[str, object]]:
    world = build()
    seen: dict[str, dict[str, object]] = {}
    for role in roles:
        caller = Caller(app, world, role)
        for key, method, rule in endpoint_keys(app):
            seen.setdefault(key, {})[role] = caller.call(method, rule)
    return seen


MATRIX = {
    # endpoint: (anonymous, deputy, staff, unit, organiser, admin)
    "auth.index": (L, 302, 302, 302, 302, 302),
    "auth.login": (200, 200, 200, 200, 200, 200),
    "auth.login POST": (200, 200, 200, 200, 200, 200),
    "auth.logout": (L, L, L, L, L, L),
    "auth.tablet_login": (200, 200, 200, 200, 200, 200),
    "auth.tablet_login POST": (200, 200, 200, 200, 200, 200),
    "auth.tablet_pin": (L, 200, 403, 403, 403, 403),
    "auth.tablet_pin POST": (L, 422, 403, 403, 403, 403),
    "auth_api.logout": (401, 200, 200, 200, 200, 200),
    "auth_api.pin": (401, 422, 403, 403, 403, 403),
    "auth_api.token": (422, 422, 422, 422, 422, 422),
    "congress.checkin": (L, 403, 403, 403, 200, 200),
    "congress.checkin POST": (L, 403, 403, 403, 200, 200),
    "congress.congress": (L, 403, 403, 403, 200, 200),
    "congress.create_congress": (L, 403, 403, 403, 302, 302),
    "congress.create_session": (L, 403, 403, 403, 302, 302),
    "congress.desk": (L, 403, 403, 403, 200, 200),
    "congress.import_roster": (L, 403, 403, 403, 422, 422),
    "congress.job": (L, 403, 403, 403, 200, 200),
    "congress.job_state": (L, 403, 403, 403, 200, 200),
    "voting.session": (L, 403, 403, 403, 200, 200),
    "congress.unlock_pin": (L, 403, 403, 403, 302, 302),
    "congress.unlock_all_pins": (L, 403, 403, 403, 302, 302),
    "congress_api.check_in": (401, 403, 403, 403, 422, 422),
    "congress_api.job": (401, 403, 403, 403, 200, 200),
    "congress_api.quorum": (401, 403, 403, 403, 200, 200),
    "congress_api.undo_check_in": (401, 403, 403, 403, 200, 200),
    "congress_api.unlock": (401, 403, 403, 403, 200, 200),
    "congress_api.unlock_all": (401, 403, 403, 403, 200, 200),
    "favicon": (200, 200, 200, 200, 200, 200),
    "hall.screen": (200, 200, 200, 200, 200, 200),
    "hall.state": (200, 200, 200, 200, 200, 200),
    "record_api.key": (403, 403, 403, 403, 409, 409),
    "record_api.keys": (200, 200, 200, 200, 200, 200),
    "record_api.record": (403, 403, 403, 403, 409, 409),
    "record_api.signature": (403, 403, 403, 403, 409, 409),
    # Scrutineers: appointed by organisers; the deputy is no scrutineer (403 not_a_scrutineer);
    # the confirmations are visible like the record (the draft vote: 409 to its organisers).
    "scrutiny.appoint": (L, 403, 403, 403, 302, 302),
    "scrutiny.appoint_tellers": (L, 403, 403, 403, 302, 302),
    "scrutiny.decide_key": (L, 403, 403, 403, 302, 302),
    "scrutiny.report": (L, 403, 403, 403, 200, 200),
    "scrutiny.tablet": (L, 200, 403, 403, 403, 403),
    "scrutiny.tablet_confirm": (L, 400, 403, 403, 403, 403),
    "scrutiny.tablet_key": (L, 400, 403, 403, 403, 403),
    "scrutiny_api.appoint": (401, 403, 403, 403, 400, 400),
    "scrutiny_api.appoint_tellers": (401, 403, 403, 403, 400, 400),
    "scrutiny_api.confirm": (401, 403, 403, 403, 403, 403),
    "scrutiny_api.confirmations": (403, 403, 403, 403, 409, 409),
    "scrutiny_api.decide_key": (401, 403, 403, 403, 422, 422),
    "scrutiny_api.register_key": (401, 403, 403, 403, 403, 403),
    "scrutiny_api.show": (401, 403, 403, 403, 200, 200),
    "meta.health": (200, 200, 200, 200, 200, 200),
    "meta.openapi": (200, 200, 200, 200, 200, 200),
    "projects.change": (L, 403, 403, 302, 302, 302),
    "projects.decide": (L, 403, 403, 403, 302, 302),
    "projects.milestone": (L, 403, 403, 302, 302, 302),
    "projects.photo": (L, 403, 403, 200, 200, 200),
    "projects.project": (L, 403, 403, 200, 200, 200),
    "projects.register": (L, 403, 403, 403, 200, 200),
    "projects.register_csv": (L, 403, 403, 403, 200, 200),
    "projects.report": (L, 403, 403, 302, 302, 302),
    "projects.plan": (L, 403, 403, 403, 422, 422),
    "projects.supervise": (L, 403, 403, 403, 302, 302),
    "projects.unit_desk": (L, 403, 403, 200, 403, 403),
    # 群众满意度 on the desk: the project's organisers and its responsible unit.
    "citizen_desk.citizens": (L, 403, 403, 200, 200, 200),
    "citizen_desk.poster": (L, 403, 403, 200, 200, 200),
    "citizen_desk.figures": (L, 403, 403, 200, 200, 200),
    "projects_api.dashboard": (401, 403, 403, 403, 200, 200),
    "projects_api.correct_status": (401, 403, 403, 403, 422, 422),
    "projects_api.decide_change": (401, 403, 403, 403, 422, 422),
    "projects_api.export": (200, 200, 200, 200, 200, 200),
    "projects_api.import_": (401, 403, 403, 403, 422, 422),
    "projects_api.index": (200, 200, 200, 200, 200, 200),
    "projects_api.milestone_done": (401, 403, 403, 422, 422, 422),
    "projects_api.photo": (200, 200, 200, 200, 200, 200),
    "projects_api.plan": (401, 403, 403, 403, 200, 200),
    "projects_api.rating_vote": (401, 403, 403, 403, 422, 422),
    "projects_api.report": (401, 403, 403, 422, 422, 422),
    "projects_api.request_change": (401, 403, 403, 422, 422, 422),
    "projects_api.show": (200, 200, 200, 200, 200, 200),
    "projects_api.summary": (422, 422, 422, 422, 422, 422),
    "projects_api.supervise": (401, 422, 403, 403, 422, 422),
    # The public portal and its open data: the same for everyone (an unpublished vote is
    # not there at all).
    "portal.funding_export": (200, 200, 200, 200, 200, 200),
    "portal.home": (200, 200, 200, 200, 200, 200),
    "portal.photo": (200, 200, 200, 200, 200, 200),
    "portal.progress_export": (200, 200, 200, 200, 200, 200),
    "portal.project": (200, 200, 200, 200, 200, 200),
    "portal.project_export": (200, 200, 200, 200, 200, 200),
    "portal.project_file": (200, 200, 200, 200, 200, 200),
    "portal.project_list": (200, 200, 200, 200, 200, 200),
    "portal.statistics": (200, 200, 200, 200, 200, 200),
    "portal.statistics_file": (200, 200, 200, 200, 200, 200),
    "portal.votes": (200, 200, 200, 200, 200, 200),
    "portal_api.jurisdictions": (200, 200, 200, 200, 200, 200),
    "portal_api.project": (200, 200, 200, 200, 200, 200),
    "portal_api.projects": (200, 200, 200, 200, 200, 200),
    "portal_api.receipt": (400, 400, 400, 400, 400, 400),
    "portal_api.statistics": (200, 200, 200, 200, 200, 200),
    "portal_api.vote": (404, 404, 404, 404, 404, 404),
    "portal_api.votes": (200, 200, 200, 200, 200, 200),
    "public_stations.directory": (200, 200, 200, 200, 200, 200),
    # 群众满意度: the citizens' form, its counts and figures are the same for everyone.
    "satisfaction.rate": (200, 200, 200, 200, 200, 200),
    "satisfaction.rate POST": (422, 422, 422, 422, 422, 422),
    "satisfaction.thanks": (200, 200, 200, 200, 200, 200),
    "satisfaction.figures": (200, 200, 200, 200, 200, 200),
    "satisfaction.download": (200, 200, 200, 200, 200, 200),
    "satisfaction_api.rate": (422, 422, 422, 422, 422, 422),
    "satisfaction_api.ratings": (200, 200, 200, 200, 200, 200),
    "satisfaction_api.figures": (200, 200, 200, 200, 200, 200),
    # Checking a result: the same for everyone.
    "verify.receipt": (200, 200, 200, 200, 200, 200),
    "verify.record": (200, 200, 200, 200, 200, 200),
    "public_stations.feedback": (302, 302, 302, 302, 302, 302),
    "public_stations.new_opinion": (200, 200, 200, 200, 200, 200),
    "public_stations.new_opinion POST": (422, 422, 422, 422, 422, 422),
    "public_stations.station": (200, 200, 200, 200, 200, 200),
    "public_stations.track": (200, 200, 200, 200, 200, 200),
    "public_stations.track_form": (200, 200, 200, 200, 200, 200),
    # A citizen's own data, by tracking code (the erasure is idempotent: 200 each time).
    "public_stations.my_data": (200, 200, 200, 200, 200, 200),
    "public_stations.erase_confirm": (200, 200, 200, 200, 200, 200),
    "public_stations.erase": (302, 302, 302, 302, 302, 302),
    "public_stations.erase_photos": (302, 302, 302, 302, 302, 302),
    "stations_api.citizen_data": (200, 200, 200, 200, 200, 200),
    "stations_api.erase_contact": (200, 200, 200, 200, 200, 200),
    "stations_api.erase_photos": (200, 200, 200, 200, 200, 200),
    "stations_api.withdraw_publication": (200, 200, 200, 200, 200, 200),
    "public_stations.withdraw_publication": (302, 302, 302, 302, 302, 302),
    "stations.messages": (L, 403, 200, 403, 200, 200),
    "stations.retry_message": (L, 403, 404, 403, 404, 404),
    "static": (200, 200, 200, 200, 200, 200),
    "stations.create_reception": (L, 403, 302, 403, 302, 302),
    "stations.create_station": (L, 403, 403, 403, 302, 302),
    "stations.export_opinions": (L, 403, 200, 403, 200, 200),
    "stations.figures": (L, 403, 200, 403, 200, 200),
    "stations.me": (L, 200, 403, 403, 403, 403),
    "stations.merge": (L, 403, 302, 403, 302, 302),
    "stations.move": (L, 403, 302, 403, 302, 302),
    "stations.opinion": (L, 403, 200, 403, 200, 200),
    "stations.opinions": (L, 403, 200, 403, 200, 200),
    "stations.publish_reception": (L, 403, 302, 403, 302, 302),
    "stations.register_opinion": (L, 403, 200, 403, 200, 200),
    "stations.register_opinion POST": (L, 403, 422, 403, 422, 422),
    "stations.station": (L, 403, 200, 403, 200, 200),
    "stations.station_deputies": (L, 403, 302, 403, 302, 302),
    "stations.stations": (L, 403, 302, 403, 200, 200),
    "stations_api.citizen_feedback": (422, 422, 422, 422, 422, 422),
    "stations_api.jurisdiction_stats": (200, 200, 200, 200, 200, 200),
    "stations_api.merge": (401, 403, 422, 403, 422, 422),
    "stations_api.my_record": (401, 200, 403, 403, 403, 403),
    "stations_api.opinion": (401, 403, 200, 403, 200, 200),
    "stations_api.station": (200, 200, 200, 200, 200, 200),
    "stations_api.station_stats": (200, 200, 200, 200, 200, 200),
    "stations_api.stations": (200, 200, 200, 200, 200, 200),
    "stations_api.step": (401, 403, 422, 403, 422, 422),
    "stations_api.submit": (422, 422, 422, 422, 422, 422),
    "stations_api.track": (200, 200, 200, 200, 200, 200),
    # Published opinions (none in the world: its opinion is not published) and support (附议);
    # an opinion's photos (none: 404 past the check), hiding one, the QR posters.
    "public_stations.public_list": (200, 200, 200, 200, 200, 200),
    "public_stations.public_page": (404, 404, 404, 404, 404, 404),
    "public_stations.public_photo": (404, 404, 404, 404, 404, 404),
    "stations_api.public_opinions": (200, 200, 200, 200, 200, 200),
    "stations_api.public_opinion": (404, 404, 404, 404, 404, 404),
    "stations_api.support": (404, 404, 404, 404, 404, 404),
    "stations.opinion_photo": (L, 403, 404, 403, 404, 404),
    "stations.visibility": (L, 403, 302, 403, 302, 302),
    "stations.posters": (L, 403, 200, 403, 200, 200),
    "stations.station_poster": (L, 403, 200, 403, 200, 200),
    # a deputy's poster: their own only (the world's signed-in deputy is not D0002)
    "stations.deputy_poster": (L, 403, 200, 403, 200, 200),
    # collection campaigns (stations/campaign_*.py)
    "stations_api.create_campaign": (401, 403, 403, 403, 422, 422),
    "stations_api.public_campaigns": (200, 200, 200, 200, 200, 200),
    "stations_api.public_adoption": (404, 404, 404, 404, 404, 404),
    "public_stations.campaigns_page": (200, 200, 200, 200, 200, 200),
    "public_stations.adoption_page": (404, 404, 404, 404, 404, 404),
    "public_stations.adoption_download": (404, 404, 404, 404, 404, 404),
    "stations.campaigns_list": (L, 403, 403, 403, 200, 200),
    "stations.create_campaign": (L, 403, 403, 403, 422, 422),
    "stations.campaign": (L, 403, 403, 403, 404, 404),
    "stations.edit_campaign": (L, 403, 403, 403, 404, 404),
    "stations.screen_opinion": (L, 403, 403, 403, 302, 302),
    "stations.feasibility": (L, 403, 403, 403, 302, 302),
    "tablet.ballot": (L, 200, 403, 403, 403, 403),
    "tablet.cast": (L, 409, 403, 403, 403, 403),
    "tablet.done": (L, 303, 403, 403, 403, 403),  # not voted: to the ballot
    "tablet.edit": (L, 200, 403, 403, 403, 403),
    "tablet.home": (L, 200, 403, 403, 403, 403),
    "tablet.review": (L, 200, 403, 403, 403, 403),
    "tablet.state": (L, 200, 403, 403, 403, 403),
    "tablet.events": (L, 200, 403, 403, 403, 403),
    # the tablet's call for staff and elder mode: the deputy's own, back to the page (303)
    "tablet_aids.call": (L, 303, 403, 403, 403, 403),
    "tablet_aids.call_state": (L, 200, 403, 403, 403, 403),
    "tablet_aids.cancel_call": (L, 303, 403, 403, 403, 403),
    "tablet_aids.set_display": (L, 303, 403, 403, 403, 403),
    # the desk's side of the calls: no call of that deputy open, so answering says so
    "calls.desk_calls": (L, 403, 403, 403, 200, 200),
    "calls.desk_answer": (L, 403, 403, 403, 303, 303),
    "calls_api.api_calls": (401, 403, 403, 403, 200, 200),
    "calls_api.api_answer": (401, 403, 403, 403, 409, 409),
    "voting.act": (L, 403, 403, 403, 302, 302),
    "voting.announcement": (403, 403, 403, 403, 409, 409),
    "voting.import_candidates": (L, 403, 403, 403, 422, 422),
    "voting.new_candidate": (L, 403, 403, 403, 200, 200),
    "voting.new_candidate POST": (L, 403, 403, 403, 422, 422),
    "voting.new_vote": (L, 403, 403, 403, 200, 200),
    "voting.new_vote POST": (L, 403, 403, 403, 422, 422),
    "voting.paper": (L, 403, 403, 403, 302, 302),
    "voting.paper_ballot": (L, 403, 403, 403, 200, 200),
    "voting.result_file": (403, 403, 403, 403, 409, 409),
    "voting.result_json": (403, 403, 403, 403, 409, 409),
    "voting.runoff": (L, 403, 403, 403, 302, 302),
    "voting.vote": (L, 403, 403, 403, 200, 200),
    "voting.not_voted": (L, 403, 403, 403, 409, 409),
    "voting_api.cast": (401, 422, 403, 403, 403, 403),
    "voting_api.close": (401, 403, 403, 403, 409, 409),
    "voting_api.open_": (401, 403, 403, 403, 409, 409),
    "voting_api.paper": (401, 403, 403, 403, 409, 409),
    "voting_api.publish": (401, 403, 403, 403, 409, 409),
    "voting_api.result": (403, 403, 403, 403, 409, 409),
    "voting_api.runoff": (401, 403, 403, 403, 409, 409),
    "voting_api.not_voted": (401, 403, 403, 403, 409, 409),
    "voting_api.show": (401, 200, 403, 403, 200, 200),
    "fallback.switch": (L, 403, 403, 403, 302, 302),
    "fallback_api.switch": (401, 403, 403, 403, 409, 409),
    "fallback_api.status": (401, 403, 403, 403, 200, 200),
    "fallback_api.confirm": (401, 403, 403, 403, 403, 403),
    "paper_tablet.confirm_page": (L, 403, 403, 403, 403, 403),
    "paper_tablet.confirm": (L, 403, 403, 403, 403, 403),
    "voting_api.create": (401, 403, 403, 403, 422, 422),
    "jurisdiction_rules.edit": (L, 403, 403, 403, 200, 200),
    "jurisdiction_rules.edit POST": (L, 403, 403, 403, 422, 422),
    "jurisdiction_rules_api.show": (401, 403, 403, 403, 200, 200),
    "jurisdiction_rules_api.put": (401, 403, 403, 403, 400, 400),
}
CROSS = {
    # endpoint: (deputy_x, staff_x, unit_x, organiser_x)
    "congress.checkin": (403, 403, 403, 403),
    "congress.checkin POST": (403, 403, 403, 403),
    "congress.congress": (403, 403, 403, 403),
    "congress.create_session": (403, 403, 403, 403),
    "congress.import_roster": (403, 403, 403, 403),
    "congress.job": (403, 403, 403, 403),
    "congress.job_state": (403, 403, 403, 403),
    "voting.session": (403, 403, 403, 403),
    "congress.unlock_pin": (403, 403, 403, 403),
    "congress.unlock_all_pins": (403, 403, 403, 403),
    "congress_api.check_in": (403, 403, 403, 403),
    "congress_api.job": (403, 403, 403, 403),
    "congress_api.quorum": (403, 403, 403, 403),
    "congress_api.undo_check_in": (403, 403, 403, 403),
    "congress_api.unlock": (403, 403, 403, 403),
    "congress_api.unlock_all": (403, 403, 403, 403),
    "hall.screen": (200, 200, 200, 200),
    "hall.state": (200, 200, 200, 200),
    "record_api.key": (403, 403, 403, 403),
    "record_api.record": (403, 403, 403, 403),
    "record_api.signature": (403, 403, 403, 403),
    "scrutiny.appoint": (403, 403, 403, 403),
    "scrutiny.appoint_tellers": (403, 403, 403, 403),
    "scrutiny.decide_key": (403, 403, 403, 403),
    "scrutiny.report": (403, 403, 403, 403),
    "scrutiny.tablet_confirm": (400, 403, 403, 403),  # the empty body; then not_a_scrutineer
    "scrutiny_api.appoint": (403, 403, 403, 403),
    "scrutiny_api.appoint_tellers": (403, 403, 403, 403),
    "scrutiny_api.confirm": (403, 403, 403, 403),
    "scrutiny_api.confirmations": (403, 403, 403, 403),
    "scrutiny_api.decide_key": (403, 403, 403, 403),
    "scrutiny_api.show": (403, 403, 403, 403),
    "projects.change": (403, 403, 403, 403),
    "projects.decide": (403, 403, 403, 403),
    "projects.milestone": (403, 403, 403, 403),
    "projects.photo": (403, 403, 403, 403),
    "projects.project": (403, 403, 403, 403),
    "projects.report": (403, 403, 403, 403),
    "projects.plan": (403, 403, 403, 403),
    "projects.supervise": (403, 403, 403, 403),
    "citizen_desk.citizens": (403, 403, 403, 403),
    "citizen_desk.poster": (403, 403, 403, 403),
    "projects_api.correct_status": (403, 403, 403, 403),
    "projects_api.decide_change": (403, 403, 403, 403),
    "projects_api.export": (200, 200, 200, 200),
    "projects_api.import_": (403, 403, 403, 403),
    "projects_api.milestone_done": (403, 403, 403, 403),
    "projects_api.photo": (200, 200, 200, 200),
    "projects_api.plan": (403, 403, 403, 403),
    "projects_api.rating_vote": (403, 403, 403, 403),
    "projects_api.report": (403, 403, 403, 403),
    "projects_api.request_change": (403, 403, 403, 403),
    "projects_api.show": (200, 200, 200, 200),
    "projects_api.summary": (422, 422, 422, 422),
    "projects_api.supervise": (403, 403, 403, 403),
    # Public: the other county's roles see what everyone sees.
    "portal.funding_export": (200, 200, 200, 200),
    "portal.photo": (200, 200, 200, 200),
    "portal.progress_export": (200, 200, 200, 200),
    "portal.project": (200, 200, 200, 200),
    "portal.project_export": (200, 200, 200, 200),
    "portal.project_file": (200, 200, 200, 200),
    "portal.statistics_file": (200, 200, 200, 200),
    "portal_api.project": (200, 200, 200, 200),
    "satisfaction.rate": (200, 200, 200, 200),
    "satisfaction.rate POST": (422, 422, 422, 422),
    "satisfaction.thanks": (200, 200, 200, 200),
    "satisfaction.download": (200, 200, 200, 200),
    "satisfaction_api.rate": (422, 422, 422, 422),
    "satisfaction_api.ratings": (200, 200, 200, 200),
    "portal_api.vote": (404, 404, 404, 404),
    "portal_api.receipt": (400, 400, 400, 400),
    "public_stations.feedback": (302, 302, 302, 302),
    "public_stations.station": (200, 200, 200, 200),
    "public_stations.track": (200, 200, 200, 200),
    "public_stations.my_data": (200, 200, 200, 200),
    "public_stations.erase_confirm": (200, 200, 200, 200),
    "public_stations.erase": (302, 302, 302, 302),
    "public_stations.erase_photos": (302, 302, 302, 302),
    "stations_api.citizen_data": (200, 200, 200, 200),
    "stations_api.erase_contact": (200, 200, 200, 200),
    "stations_api.erase_photos": (200, 200, 200, 200),
    "stations_api.withdraw_publication": (200, 200, 200, 200),
    "public_stations.withdraw_publication": (302, 302, 302, 302),
    "stations.retry_message": (403, 404, 403, 404),
    "static": (200, 200, 200, 200),
    "stations.create_reception": (403, 403, 403, 403),
    "stations.export_opinions": (403, 200, 403, 200),
    "stations.move": (403, 403, 403, 403),
    "stations.opinion": (403, 403, 403, 403),
    "stations.publish_reception": (403, 403, 403, 403),
    "stations.register_opinion": (403, 403, 403, 403),
    "stations.register_opinion POST": (403, 403, 403, 403),
    "stations.station": (403, 403, 403, 403),
    "stations.station_deputies": (403, 403, 403, 403),
    "stations_api.citizen_feedback": (422, 422, 422, 422),
    "stations_api.jurisdiction_stats": (200, 200, 200, 200),
    "stations_api.opinion": (403, 403, 403, 403),
    "stations_api.station": (200, 200, 200, 200),
    "stations_api.station_stats": (200, 200, 200, 200),
    "stations_api.step": (403, 403, 403, 403),
    "stations_api.track": (200, 200, 200, 200),
    "public_stations.public_page": (404, 404, 404, 404),
    "public_stations.public_photo": (404, 404, 404, 404),
    "stations_api.public_opinion": (404, 404, 404, 404),
    "stations_api.support": (404, 404, 404, 404),
    "stations.opinion_photo": (403, 403, 403, 403),
    "stations.visibility": (403, 403, 403, 403),
    "stations.station_poster": (403, 403, 403, 403),
    "stations.deputy_poster": (403, 403, 403, 403),
    "stations_api.public_adoption": (404, 404, 404, 404),
    "public_stations.adoption_page": (404, 404, 404, 404),
    "public_stations.adoption_download": (404, 404, 404, 404),
    "stations.campaign": (403, 403, 403, 404),
    "stations.edit_campaign": (403, 403, 403, 404),
    "stations.screen_opinion": (403, 403, 403, 403),
    "stations.feasibility": (403, 403, 403, 403),
    "tablet.ballot": (403, 403, 403, 403),
    "tablet.cast": (403, 403, 403, 403),
    "tablet.done": (403, 403, 403, 403),
    "tablet.edit": (403, 403, 403, 403),
    "tablet.review": (403, 403, 403, 403),
    "voting.act": (403, 403, 403, 403),
    "voting.announcement": (403, 403, 403, 403),
    "voting.import_candidates": (403, 403, 403, 403),
    "voting.new_candidate": (403, 403, 403, 403),
    "voting.new_candidate POST": (403, 403, 403, 403),
    "voting.new_vote": (403, 403, 403, 403),
    "voting.new_vote POST": (403, 403, 403, 403),
    "voting.paper": (403, 403, 403, 403),
    "voting.paper_ballot": (403, 403, 403, 403),
    "voting.result_file": (403, 403, 403, 403),
    "voting.result_json": (403, 403, 403, 403),
    "voting.runoff": (403, 403, 403, 403),
    "voting.vote": (403, 403, 403, 403),
    "voting.not_voted": (403, 403, 403, 403),
    "voting_api.cast": (403, 403, 403, 403),
    "voting_api.close": (403, 403, 403, 403),
    "voting_api.open_": (403, 403, 403, 403),
    "voting_api.paper": (403, 403, 403, 403),
    "voting_api.publish": (403, 403, 403, 403),
    "voting_api.result": (403, 403, 403, 403),
    "voting_api.runoff": (403, 403, 403, 403),
    "voting_api.not_voted": (403, 403, 403, 403),
    "voting_api.show": (403, 403, 403, 403),
    "fallback.switch": (403, 403, 403, 403),
    "fallback_api.switch": (403, 403, 403, 403),
    "fallback_api.status": (403, 403, 403, 403),
    "fallback_api.confirm": (403, 403, 403, 403),
    "paper_tablet.confirm_page": (403, 403, 403, 403),
    "paper_tablet.confirm": (403, 403, 403, 403),
    "voting_api.create": (403, 403, 403, 403),
    "jurisdiction_rules.edit": (403, 403, 403, 403),
    "jurisdiction_rules.edit POST": (403, 403, 403, 403),
    "jurisdiction_rules_api.show": (403, 403, 403, 403),
    "jurisdiction_rules_api.put": (403, 403, 403, 403),
    "calls.desk_calls": (403, 403, 403, 403),
    "calls.desk_answer": (403, 403, 403, 403),
    "calls_api.api_calls": (403, 403, 403, 403),
    "calls_api.api_answer": (403, 403, 403, 403),
}

# What a role of the other county sees in a list must not include the home county's data.
HOME_MARKS = ("意见430212", "项目430212", "区430212", "联络站430212")
# By endpoint name, with their query arguments, so that moving a page keeps the test.
LISTS = {
    "organiser_x": (
        ("congress.desk", {}),
        ("stations.opinions", {}),
        ("stations.export_opinions", {"fmt": "csv"}),
        ("stations.figures", {}),
        ("stations.stations", {}),
        ("projects.register", {}),
        ("projects.register_csv", {}),
        ("projects_api.dashboard", {}),
        ("citizen_desk.figures", {}),
    ),
    "staff_x": (
        ("stations.opinions", {}),
        ("stations.export_opinions", {"fmt": "csv"}),
        ("stations.figures", {}),
    ),
    "unit_x": (("projects.unit_desk", {}), ("citizen_desk.figures", {})),
}


@pytest.fixture(autouse=True)
def _fresh(fresh_user_per_request):
    return None


@pytest.fixture
def observed(app):
    # Every role posts to both opinion endpoints from one address, which now share one
    # budget: room for all of them, so that each answer shows the access rule, not the limit.
    app.config["OPINION_RATE_LIMIT"] = "1000 per hour"
    app.config["TRACK_DATA_RATE_LIMIT"] = "1000 per hour"
    return observe(app, ROLES + OUTSIDERS)


def test_every_endpoint_has_a_row(app):
    keys = {key for key, _, _ in endpoint_keys(app)}
    assert sorted(keys - set(MATRIX)) == [], "give each new endpoint its row in MATRIX"
    assert sorted(set(MATRIX) - keys) == [], "rows of endpoints that no longer exist"
    named = {key for key, _, rule in endpoint_keys(app) if rule.arguments}
    assert sorted(named - set(CROSS)) == [], "give each endpoint naming an object a CROSS row"


def test_access_matrix(observed):
    wrong = [
        f"{key} as {role}: expected {expected}, got {observed[key][role]}"
        for key, row in MATRIX.items()
        for role, expected in zip(ROLES, row, strict=True)
        if key in observed and observed[key][role] != expected
    ]
    assert wrong == []


def test_other_jurisdiction_cannot_reach_the_home_county(observed):
    wrong = [
        f"{key} as {role}: expected {expected}, got {observed[key][role]}"
        for key, row in CROSS.items()
        for role, expected in zip(OUTSIDERS, row, strict=True)
        if key in observed and observed[key][role] != expected
    ]
    assert wrong == []


def test_lists_of_another_jurisdiction_show_none_of_the_home_county(app):
    world = build()
    urls = app.url_map.bind("localhost")
    for role, lists in LISTS.items():
        caller = Caller(app, world, role)
        for endpoint, values in lists:
            url = urls.build(endpoint, values)
            response = caller.client.get(url, headers=caller.headers)
            assert response.status_code == 200, (role, url)
            text = response.get_data(as_text=True)
            assert not [m for m in HOME_MARKS if m in text], (role, url)
    # The home organiser does see them (the marks are real).
    home = Caller(app, world, "organiser")
    opinions, register = urls.build("stations.opinions"), urls.build("projects.register")
    assert "意见430212" in home.client.get(opinions).get_data(as_text=True)
    assert "项目430212" in home.client.get(register).get_data(as_text=True)


def test_merging_another_jurisdictions_opinion_is_refused(app):
    from votesys.stations.models import Opinion

    world = build()
    body = {"opinions": [world.ids["opinion_id"]], "session": world.ids["session_id"]}
    for role in ("staff_x", "organiser_x"):
        caller = Caller(app, world, role)
        r = caller.client.post("/api/v1/opinions/merge", json=body, headers=caller.headers)
        assert r.status_code in (403, 404), (role, r.status_code, r.get_json())
        page = caller.client.post(
            "/desk/opinions/merge",
            data={"opinion": [str(world.ids["opinion_id"])], "session": world.ids["session_id"]},
        )
        assert page.status_code in (302, 403)
    from votesys.extensions import db

    assert db.session.get(Opinion, world.ids["opinion_id"]).status == "registered"
