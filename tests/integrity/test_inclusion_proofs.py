"""Merkle inclusion proofs (RFC 6962 §2.1.1 audit paths, verified as RFC 9162 §2.1.3.2): every
leaf of every tree proves against the root merkle_root computes, and a changed leaf, proof,
index or root fails."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from votesys.integrity.rules import inclusion_proof, merkle_root, verify_inclusion

receipts = st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=70, unique=True)


@settings(max_examples=150)
@given(receipts)
def test_every_leaf_of_every_tree_proves_against_its_root(items):
    root = merkle_root(items)
    seen = set()
    for item in items:
        index, proof = inclusion_proof(items, item)
        assert verify_inclusion(item, index, len(items), proof, root)
        seen.add(index)
    assert seen == set(range(len(items)))  # each leaf its own place


def test_trees_of_one_to_sixty_four_leaves():
    for n in range(1, 65):
        items = [f"R{i:03d}" for i in range(n)]
        root = merkle_root(items)
        for item in items:
            index, proof = inclusion_proof(items, item)
            assert verify_inclusion(item, index, n, proof, root), (n, item)
            # The path's length is the leaf's depth: at most ceil(log2 n).
            assert len(proof) <= max(0, (n - 1).bit_length())


@given(receipts, st.data())
def test_a_changed_leaf_proof_index_size_or_root_fails(items, data):
    root = merkle_root(items)
    item = data.draw(st.sampled_from(items))
    index, proof = inclusion_proof(items, item)
    n = len(items)
    other = data.draw(st.text(min_size=1, max_size=12).filter(lambda t: t != item))
    assert not verify_inclusion(other, index, n, proof, root)
    wrong_index = data.draw(st.integers(-3, n + 3).filter(lambda i: i != index))
    assert not verify_inclusion(item, wrong_index, n, proof, root)
    # A wrong root: any other 32 bytes.
    bad_root = data.draw(
        st.binary(min_size=32, max_size=32).map(bytes.hex).filter(lambda r: r != root)
    )
    assert not verify_inclusion(item, index, n, proof, bad_root)
    if proof:
        k = data.draw(st.integers(0, len(proof) - 1))
        flipped = proof.copy()
        flipped[k] = bytes(
            b ^ (1 if i == 0 else 0) for i, b in enumerate(bytes.fromhex(proof[k]))
        ).hex()
        assert not verify_inclusion(item, index, n, flipped, root)
        assert not verify_inclusion(item, index, n, proof[:-1], root)  # a hash left out
    assert not verify_inclusion(item, index, n, [*proof, "00" * 32], root)  # one too many


def test_an_index_outside_the_tree_fails():
    """(The size alone is not bound by the path: trees of 5 to 8 leaves give R0 the same
    path. The record's signed trackers fix the size.)"""
    items = [f"R{i}" for i in range(5)]
    root = merkle_root(items)
    index, proof = inclusion_proof(items, "R0")
    assert verify_inclusion("R0", index, 5, proof, root)
    assert not verify_inclusion("R0", index, index, proof, root)
    assert not any(verify_inclusion("R0", index, n, proof, root) for n in (0, 1, 2, 3, 4, 9, 17))


def test_an_item_not_in_the_tree_has_no_proof():
    assert inclusion_proof(["A", "B", "C"], "D") is None
    assert inclusion_proof(["A"], "A") == (0, [])
    assert verify_inclusion("A", 0, 1, [], merkle_root(["A"]))


@given(
    st.one_of(st.none(), st.integers(), st.text(max_size=3)),
    st.one_of(st.none(), st.text(max_size=3), st.floats()),
    st.lists(st.one_of(st.text(max_size=70), st.integers()), max_size=3),
    st.one_of(st.none(), st.text(max_size=70)),
)
def test_malformed_input_is_false_never_an_error(item, index, proof, root):
    assert verify_inclusion(item, index, 4, proof, root) is False
