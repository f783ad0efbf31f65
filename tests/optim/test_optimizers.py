"""Optimizers against hand-computed updates, schedules, clipping."""

from __future__ import annotations

import math

import numpy as np
import pytest

from luma_cli.autograd import Tape, Tensor
from luma_cli.optim import OPTIMIZERS, SCHEDULES, SGD, Adam, AdamW, RMSprop, clip_grad_norm, global_grad_norm


def param_with_grad(value: list[float], grad: list[float]) -> Tensor:
    p = Tensor(np.array(value), requires_grad=True, name="p")
    p.grad = np.array(grad)
    return p


def test_sgd_plain_step() -> None:
    p = param_with_grad([1.0, 2.0], [0.5, -1.0])
    SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.data, [0.95, 2.1])


def test_sgd_momentum_and_nesterov_follow_pytorch() -> None:
    p = param_with_grad([1.0], [1.0])
    q = param_with_grad([1.0], [1.0])
    plain, nesterov = SGD([p], lr=0.1, momentum=0.9), SGD([q], lr=0.1, momentum=0.9, nesterov=True)
    for _ in range(2):
        plain.step()
        nesterov.step()
    # momentum: v1 = 1, v2 = 1.9 -> p = 1 - 0.1 - 0.19
    np.testing.assert_allclose(p.data, [1 - 0.1 - 0.19])
    # nesterov: step = g + mu v -> 1.9, then 1 + 0.9 * 1.9 = 2.71
    np.testing.assert_allclose(q.data, [1 - 0.19 - 0.271])


def test_sgd_weight_decay_adds_l2_gradient() -> None:
    p = param_with_grad([2.0], [0.0])
    SGD([p], lr=0.1, weight_decay=0.5).step()
    np.testing.assert_allclose(p.data, [2.0 - 0.1 * 1.0])


def test_adam_first_step_moves_by_lr_times_sign() -> None:
    p = param_with_grad([1.0, 1.0], [0.3, -2.0])
    Adam([p], lr=0.01).step()
    np.testing.assert_allclose(p.data, [0.99, 1.01], rtol=1e-6)


def test_adam_two_steps_match_the_formula() -> None:
    p = param_with_grad([0.0], [1.0])
    opt = Adam([p], lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    opt.step()
    p.grad = np.array([3.0])
    opt.step()
    m = 0.9 * 0.1 + 0.1 * 3.0
    v = 0.999 * 0.001 + 0.001 * 9.0
    second = 0.1 * (m / (1 - 0.81)) / (math.sqrt(v / (1 - 0.999**2)) + 1e-8)
    np.testing.assert_allclose(p.data, [-0.1 - second], rtol=1e-6)


def test_adamw_decays_weights_without_touching_the_moments() -> None:
    p = param_with_grad([1.0], [0.0])
    AdamW([p], lr=0.1, weight_decay=0.5).step()
    np.testing.assert_allclose(p.data, [1.0 - 0.1 * 0.5 * 1.0])


def test_rmsprop_first_step() -> None:
    p = param_with_grad([1.0], [2.0])
    RMSprop([p], lr=0.01, alpha=0.9).step()
    expected = 1.0 - 0.01 * 2.0 / (math.sqrt(0.1 * 4.0) + 1e-8)
    np.testing.assert_allclose(p.data, [expected])


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw", "rmsprop"])
def test_every_optimizer_minimizes_a_quadratic(name: str) -> None:
    target = np.array([3.0, -2.0])
    p = Tensor(np.zeros(2), requires_grad=True, name="p")
    lr = {"sgd": 0.1, "adam": 0.1, "adamw": 0.1, "rmsprop": 0.05}[name]
    kwargs = {"weight_decay": 0.0} if name == "adamw" else {}
    opt = OPTIMIZERS.get(name)([("p", p)], lr=lr, **kwargs)
    for _ in range(500):
        opt.zero_grad()
        with Tape() as tape:
            loss = ((p - Tensor(target)) ** 2).sum()
        tape.backward(loss)
        opt.step()
    np.testing.assert_allclose(p.data, target, atol=0.05)


def test_parameters_without_gradients_are_left_alone() -> None:
    p = Tensor(np.ones(2), requires_grad=True)
    Adam([p], lr=0.1).step()
    np.testing.assert_array_equal(p.data, [1.0, 1.0])


def test_optimizer_state_round_trips() -> None:
    p = param_with_grad([1.0], [1.0])
    opt = Adam([("p", p)], lr=0.1)
    opt.step()
    q = param_with_grad([1.0], [1.0])
    other = Adam([("p", q)], lr=0.1)
    other.load_state_dict(opt.state_dict(), opt.steps)
    q.data = p.data.copy()
    opt.step()
    other.step()
    np.testing.assert_array_equal(p.data, q.data)


def test_float32_parameters_stay_float32() -> None:
    for name in OPTIMIZERS.names():
        p = Tensor(np.ones(3, np.float32), requires_grad=True)
        p.grad = np.full(3, 0.5, np.float32)
        kwargs = {"momentum": 0.9} if name in ("sgd", "rmsprop") else {"weight_decay": 0.1}
        opt = OPTIMIZERS.get(name)([p], lr=0.1, **kwargs)
        opt.step()
        opt.step()
        assert p.data.dtype == np.float32, name


def test_schedules() -> None:
    assert SCHEDULES.get("constant")(0.1, 10).lr_at(7) == 0.1
    step = SCHEDULES.get("step")(1.0, 10, step_size=3, gamma=0.5)
    assert [step.lr_at(e) for e in (0, 2, 3, 6)] == [1.0, 1.0, 0.5, 0.25]
    assert SCHEDULES.get("exponential")(1.0, 10, gamma=0.9).lr_at(2) == pytest.approx(0.81)
    cosine = SCHEDULES.get("cosine")(1.0, 10, min_lr=0.1)
    assert cosine.lr_at(0) == pytest.approx(1.0) and cosine.lr_at(5) == pytest.approx(0.55)
    assert cosine.lr_at(9) > 0.1


def test_clip_grad_norm_scales_to_max_norm() -> None:
    a, b = param_with_grad([0.0], [3.0]), param_with_grad([0.0], [4.0])
    before = clip_grad_norm([a, b], max_norm=1.0)
    assert before == pytest.approx(5.0)
    assert global_grad_norm([a, b]) == pytest.approx(1.0)
    np.testing.assert_allclose(a.grad, [0.6])


def test_clip_grad_norm_leaves_small_gradients() -> None:
    a = param_with_grad([0.0], [0.3])
    clip_grad_norm([a], max_norm=1.0)
    np.testing.assert_allclose(a.grad, [0.3])
