"""The pages' jurisdiction picker at province size: the whole tree when small, else only
around the chosen jurisdiction (portal.scope.Tree.choices)."""

from __future__ import annotations

from votesys.portal.scope import PICKER_WHOLE, Node, Tree


def tree_of(cities: int, counties: int, townships: int) -> Tree:
    """A province, depth-first as jurisdiction_tree() gives it."""
    out, ids = Tree(), iter(range(1, 10**6))

    def add(code: str, parent: Node | None, depth: int) -> Node:
        node = Node(next(ids), code, code, "x", parent.id if parent else None, depth=depth)
        if parent:
            parent.children.append(node)
        out.append(node)
        return node

    top = add("P", None, 0)
    for c in range(cities):
        city = add(f"C{c}", top, 1)
        for k in range(counties):
            county = add(f"C{c}K{k}", city, 2)
            for t in range(townships):
                add(f"C{c}K{k}T{t}", county, 3)
    return out


def codes(nodes) -> list[str]:
    return [n.code for n in nodes]


def test_a_small_tree_is_offered_whole():
    tree = tree_of(3, 4, 5)
    assert len(tree) <= PICKER_WHOLE
    assert tree.choices(tree[7]) is tree and tree.choices(None) is tree


def test_a_province_offers_the_path_siblings_and_children():
    tree = tree_of(14, 9, 15)  # 14 + 126 + 1,890 under the province
    assert len(tree) > PICKER_WHOLE
    cities = [f"C{c}" for c in range(14)]
    assert codes(tree.choices(None)) == ["P", *cities]
    assert codes(tree.choices("unknown")) == ["P", *cities]
    # A county: the province, the cities, its city's counties, its own townships.
    chosen = next(n for n in tree if n.code == "C3K2")
    offered = codes(tree.choices(chosen))
    assert offered == codes(tree.choices("C3K2"))
    expected = {"P", *cities, *(f"C3K{k}" for k in range(9)), *(f"C3K2T{t}" for t in range(15))}
    assert set(offered) == expected and len(offered) == len(expected)
    assert offered == [n.code for n in tree if n.code in expected]  # in tree order
    # A township: the path down to it, with its county's other townships.
    offered = set(codes(tree.choices("C13K8T14")))
    assert {"C13", "C13K8", "C13K8T0", "C13K8T14"} <= offered
    assert "C12K8T14" not in offered and "C13K7" not in offered
    assert len(offered) == 1 + 14 + 1 + 15


def test_the_public_tree_names_each_jurisdiction_s_parent(app, client):
    from votesys.congress.services import find_or_create_jurisdiction
    from votesys.extensions import db

    find_or_create_jurisdiction("43", "湖南省", "province", None)
    find_or_create_jurisdiction("4302", "株洲市", "city", "43")
    find_or_create_jurisdiction("430212", "渌口区", "county", "4302")
    find_or_create_jurisdiction("43021201", "龙门镇", "township", "430212")
    db.session.commit()
    found = client.get("/api/v1/public/jurisdictions").get_json()["jurisdictions"]
    assert [(j["code"], j["parent"], j["depth"]) for j in found] == [
        ("43", None, 0),
        ("4302", "43", 1),
        ("430212", "4302", 2),
        ("43021201", "430212", 3),
    ]
