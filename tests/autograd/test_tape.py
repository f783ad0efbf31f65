"""The tape: ids, recording order, accumulation, no-grad outside a tape, and a cut graph."""

from __future__ import annotations

import numpy as np
import pytest

from luma_cli.autograd import Tape, Tensor, fused
from luma_cli.errors import GraphError


def test_ops_are_numbered_in_order_and_tensors_get_tape_ids() -> None:
    w = Tensor(np.ones((2, 2)), requires_grad=True)
    x = Tensor(np.ones((3, 2)), kind="input")
    with Tape() as tape:
        h = x @ w.T
        out = h.sigmoid().sum()
    assert [node.label for node in tape.nodes] == ["#1 transpose", "#2 matmul", "#3 sigmoid", "#4 sum"]
    assert {w.label, x.label} == {"t1", "t3"}
    assert out.node is tape.nodes[-1]
    assert tape.producer_output(tape.nodes[2]).node is tape.nodes[2]
    assert w.is_leaf and w.kind == "parameter" and x.kind == "input" and h.kind == "op"


def test_gradients_accumulate_when_a_tensor_is_used_twice() -> None:
    a = Tensor(np.array([2.0, 3.0]), requires_grad=True)
    with Tape() as tape:
        loss = (a * a + a).sum()  # d/da = 2a + 1
    tape.backward(loss)
    np.testing.assert_allclose(a.grad, [5.0, 7.0])


def test_a_shared_gradient_array_is_not_mutated_by_later_accumulation() -> None:
    """add's backward hands the same array to both inputs; accumulating into one must not touch the other."""
    a = Tensor(np.array([1.0]), requires_grad=True)
    b = Tensor(np.array([1.0]), requires_grad=True)
    with Tape() as tape:
        s = a + b
        loss = (s + a * 10.0).sum()
    tape.backward(loss)
    np.testing.assert_allclose(a.grad, [11.0])
    np.testing.assert_allclose(b.grad, [1.0])


def test_backward_twice_accumulates_into_parameters() -> None:
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    for _ in range(2):
        with Tape() as tape:
            loss = (a * 3.0).sum()
        tape.backward(loss)
    np.testing.assert_allclose(a.grad, [6.0, 6.0])
    a.zero_grad()
    assert a.grad is None


def test_outside_a_tape_nothing_is_recorded() -> None:
    w = Tensor(np.ones(3), requires_grad=True)
    out = (w * 2.0).sum()
    assert out.node is None and not out.requires_grad and out.tape is None
    with pytest.raises(GraphError, match="no tape recorded"):
        out.backward()


def test_backward_needs_a_scalar() -> None:
    w = Tensor(np.ones(3), requires_grad=True)
    with Tape() as tape:
        out = w * 2.0
    with pytest.raises(GraphError, match="scalar"):
        tape.backward(out)
    tape.backward(out, grad=np.ones(3))
    np.testing.assert_allclose(w.grad, [2.0, 2.0, 2.0])


def test_backward_rejects_a_tensor_from_another_tape() -> None:
    w = Tensor(np.ones(2), requires_grad=True)
    with Tape():
        loss = w.sum()
    with Tape() as other, pytest.raises(GraphError, match="did not record"):
        other.backward(loss)


def test_ops_the_loss_does_not_depend_on_get_no_gradient() -> None:
    used = Tensor(np.ones(2), requires_grad=True)
    unused = Tensor(np.ones(2), requires_grad=True)
    with Tape() as tape:
        _side = (unused * 5.0).sum()
        loss = (used * 2.0).sum()
    tape.backward(loss)
    assert unused.grad is None
    np.testing.assert_allclose(used.grad, [2.0, 2.0])


def test_the_origin_bug_a_rewrapped_output_cuts_the_graph() -> None:
    """A forward that returns Tensor(sigmoid_output.data) hands the loss a constant: no gradient reaches w."""
    w = Tensor(np.full((1, 2), 0.3), requires_grad=True)
    b = Tensor(np.zeros(1), requires_grad=True)
    x = Tensor(np.ones((4, 2)), kind="input")
    y = Tensor(np.ones((4, 1)), kind="input")
    with Tape() as tape:
        prob = fused.linear(x, w, b).sigmoid()
        rewrapped = Tensor(prob.data)
        loss = fused.binary_cross_entropy(rewrapped, y)
    tape.backward(loss)
    assert rewrapped.kind == "constant" and rewrapped.node is None
    assert tape.nodes[-1].inputs[0] is rewrapped
    assert w.grad is None and b.grad is None
    with Tape() as tape:
        loss = fused.binary_cross_entropy(fused.linear(x, w, b).sigmoid(), y)
    tape.backward(loss)
    assert w.grad is not None and np.all(w.grad != 0)


def test_detach_is_a_constant_sharing_data() -> None:
    a = Tensor(np.ones(2), requires_grad=True)
    d = a.detach()
    assert d.kind == "constant" and not d.requires_grad and np.shares_memory(d.data, a.data)


def test_source_locations_are_recorded_only_when_asked() -> None:
    with Tape(record_sources=True):
        c = Tensor(np.ones(2))
        out = c * 2.0
    assert c.created_at is not None and "test_tape.py" in c.created_at and "in test_source_locations" in c.created_at
    assert out.created_at is not None and "test_tape.py" in out.created_at
    with Tape():
        plain = Tensor(np.ones(2)) * 2.0
    assert plain.created_at is None


def test_integer_data_becomes_float() -> None:
    assert Tensor([1, 2, 3]).dtype == np.float64
    assert Tensor(np.ones(2, np.float32)).dtype == np.float32


def test_scalar_constants_take_the_tensor_dtype() -> None:
    x = Tensor(np.ones(2, np.float32))
    assert (x * 0.1).dtype == np.float32 and (1.0 - x).dtype == np.float32 and (x / 3).dtype == np.float32
