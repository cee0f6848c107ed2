"""Public answers are cached, carry an ETag, are answered 304 when unchanged, and are
retired at once — on every process — when the data under them changes."""

from __future__ import annotations

from sqlalchemy import text

from votesys import create_app
from votesys.extensions import db
from votesys.projects import reports
from votesys.projects.models import Project
from votesys.voting import casting, counting

WATER = "农村饮水安全巩固提升工程"


def generation() -> int:
    return db.session.execute(text("SELECT n FROM public_generation WHERE id = 1")).scalar()


def test_api_and_pages_answer_304_to_a_current_etag(client, demo, refs):
    for url in (
        "/api/v1/public/projects",
        f"/api/v1/public/projects/{refs[WATER]}",
        "/",
        "/projects",
        "/api/v1/jurisdictions/430212/summary?year=2026",
        "/stations",
    ):
        first = client.get(url)
        assert first.status_code == 200 and first.headers["Cache-Control"] == "public, no-cache"
        etag = first.headers["ETag"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b"", url
        other = client.get(url, headers={"If-None-Match": '"stale"'})
        assert other.status_code == 200 and other.data == first.data, url


def test_a_progress_report_shows_at_once(client, demo, refs):
    url = f"/projects/{refs[WATER]}"
    before = client.get(url)
    assert "管网全部完工" not in before.get_data(as_text=True)
    project = db.session.scalar(db.select(Project).where(Project.ref == refs[WATER]))
    reports.add_report(
        project, {"status": "in_progress", "progress": 90, "narrative": "管网全部完工"}
    )
    db.session.commit()
    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and "管网全部完工" in after.get_data(as_text=True)
    listed = client.get("/api/v1/public/projects?q=饮水&year=2026").get_json()["projects"][0]
    assert listed["progress"] == 90


def test_the_cache_is_used_until_the_data_changes(client, demo, refs):
    """A raw SQL change (which no public write path makes) stays unseen while cached."""
    url = f"/api/v1/public/projects/{refs[WATER]}"
    assert client.get(url).get_json()["progress"] == 80
    db.session.execute(text("UPDATE projects SET progress = 81 WHERE ref = :r"), {"r": refs[WATER]})
    db.session.commit()
    assert client.get(url).get_json()["progress"] == 80  # served from the cache
    project = db.session.scalar(db.select(Project).where(Project.ref == refs[WATER]))
    project.summary += "。"  # any ORM write the public could see retires the cache
    db.session.commit()
    assert client.get(url).get_json()["progress"] == 81


def test_casting_and_check_in_do_not_retire_the_cache(app, make_scenario):
    from votesys.congress import services as congress
    from votesys.congress.models import CongressSession, Deputy
    from votesys.voting import services as voting
    from votesys.voting.models import Vote

    ids = make_scenario(deputies=3, candidates=2, seats=1)
    sess = db.session.get(CongressSession, ids["session"])
    for code in ids["deputies"]:
        congress.check_in(sess, code)
    vote = db.session.get(Vote, ids["votes"]["main"])
    voting.open_vote(vote)
    db.session.commit()
    opened = generation()
    deputy = db.session.get(Deputy, ids["deputies"]["D0001"])
    casting.cast_ballot(vote, deputy, {str(ids["candidates"]["c1"]): "for"})
    db.session.commit()
    assert generation() == opened  # a ballot is not public until the vote closes
    counting.close_vote(vote)
    db.session.commit()
    assert generation() != opened


def test_signed_in_visitors_are_not_served_from_the_cache(client, demo):
    client.get("/")
    client.post("/login", data={"login": "organiser", "password": "votesys-demo"})
    r = client.get("/")
    assert r.status_code == 200 and "ETag" not in r.headers


def test_two_processes_sharing_a_database_see_one_change(demo, tmp_path, database_url):
    """Each app has its own in-process cache; the generation lives in the shared database."""
    url = db.engine.url.render_as_string(hide_password=False)
    other = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "VOTESYS_TODAY": "2026-11-20"}
    )
    first, second = demo.test_client(), other.test_client()
    assert "测试改名" not in second.get("/projects?q=饮水").get_data(as_text=True)
    assert "测试改名" not in first.get("/projects?q=饮水").get_data(as_text=True)
    with other.app_context():
        from votesys.extensions import db as other_db

        project = other_db.session.scalar(other_db.select(Project).where(Project.title == WATER))
        project.title = WATER + "（测试改名）"
        other_db.session.commit()
        other_db.session.remove()
    assert "测试改名" in first.get("/projects?q=饮水").get_data(as_text=True)
    with other.app_context():
        from votesys.extensions import db as other_db

        other_db.engine.dispose()


def test_the_registers_own_list_carries_the_same_etag_and_caching(client, demo, refs):
    """GET /api/v1/projects (rows with the register's ids) is cached and answered 304 like
    the public API, and a change shows at once."""
    url = "/api/v1/projects?year=2026"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "public, no-cache"
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    project = db.session.scalar(db.select(Project).where(Project.ref == refs[WATER]))
    reports.add_report(project, {"status": "in_progress", "progress": 90, "narrative": "完工"})
    db.session.commit()
    after = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200
    rows = {p["title"]: p for p in after.get_json()["projects"]}
    assert rows[WATER]["progress"] == 90


def test_the_generation_is_renewed_at_the_commit_whatever_savepoints_did(app):
    """The generation is renewed by the commit of a transaction with public writes, even when
    a savepoint after them was rolled back, and not by one whose writes were all undone."""
    from votesys.congress.models import Jurisdiction

    db.session.add(Jurisdiction(code="G1", name="甲", level="county"))
    db.session.commit()
    before = generation()
    db.session.add(Jurisdiction(code="G2", name="乙", level="county"))
    db.session.flush()
    nested = db.session.begin_nested()
    db.session.add(Jurisdiction(code="G3", name="丙", level="county"))
    db.session.flush()
    nested.rollback()
    db.session.commit()
    assert generation() != before
    before = generation()
    db.session.add(Jurisdiction(code="G4", name="丁", level="county"))
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert generation() == before
    db.session.add(Jurisdiction(code="G5", name="戊", level="county"))
    db.session.commit()  # never flushed before the commit
    assert generation() != before


def test_the_jurisdiction_tree_is_read_once_per_generation(client, demo):
    """Each process keeps the tree for the public generation: a second page built afresh
    does not read it again; a jurisdiction renamed shows on the next page."""
    from tests.portal.conftest import counting
    from votesys.congress.models import Jurisdiction

    def tree_reads(url: str) -> int:
        with counting() as seen:
            assert client.get(url).status_code == 200
        return sum("FROM jurisdictions ORDER BY" in s for s in seen)

    assert tree_reads("/?year=2026") == 1
    assert tree_reads("/projects?year=2026") == 0  # another page, not cached: the same tree
    county = db.session.scalar(db.select(Jurisdiction).where(Jurisdiction.code == "430212"))
    county.name = "云溪新区"
    db.session.commit()
    assert tree_reads("/projects?year=2025") == 1
    assert "云溪新区" in client.get("/projects?year=2026&jurisdiction=430212").get_data(True)


def test_a_kept_subtree_is_handed_out_as_a_copy(demo):
    from votesys.portal import scope

    with demo.test_request_context("/"):
        tree = scope.jurisdiction_tree()
        first = scope.subtree(tree, tree[0])
        first.append(-1)
        assert -1 not in scope.subtree(tree, tree[0])
        assert scope.jurisdiction_tree() is tree
