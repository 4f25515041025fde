"""The lab's small models: backpropagation against finite differences, PPCA's closed form, the
GAN's healthy and collapsing settings, the MLP, the attention cost formulas and Chinchilla."""

import math

import numpy as np
import pytest

from learning.visuals import attention_cost, gan, mlp, nn, ppca, scaling


@pytest.mark.parametrize("activation", nn.ACTIVATIONS)
def test_backpropagation_matches_finite_differences(activation):
    rng = np.random.default_rng(0)
    net = nn.MLP.create([2, 5, 4, 1], activation, rng)
    x, target = rng.normal(size=(7, 2)), rng.normal(size=(7, 1))

    def loss() -> float:
        out, _ = net.forward(x)
        return float(((out - target) ** 2).sum() / 2)

    out, cache = net.forward(x)
    grad_input = net.backward(cache, out - target)
    analytic = net.grad.copy()
    h = 1e-6
    for i in rng.choice(net.params.size, 15, replace=False):
        saved = net.params[i]
        net.params[i] = saved + h
        up = loss()
        net.params[i] = saved - h
        down = loss()
        net.params[i] = saved
        assert analytic[i] == pytest.approx((up - down) / (2 * h), rel=1e-4, abs=1e-7)
    # And the gradient for the input (what the GAN's generator receives through D).
    bumped = x.copy()
    bumped[2, 1] += h
    out_up, _ = net.forward(bumped)
    bumped[2, 1] -= 2 * h
    out_down, _ = net.forward(bumped)
    numeric = (((out_up - target) ** 2).sum() - ((out_down - target) ** 2).sum()) / (4 * h)
    assert grad_input[2, 1] == pytest.approx(numeric, rel=1e-4)


def test_mlp_survives_pickling_for_the_cache():
    import pickle

    net = nn.MLP.create([2, 3, 1], "tanh", np.random.default_rng(0))
    copy = pickle.loads(pickle.dumps(net))
    x = np.ones((2, 2))
    np.testing.assert_array_equal(copy.forward(x)[0], net.forward(x)[0])
    copy.params += 1.0  # the views are rebuilt: weights follow the flat vector
    assert not np.allclose(copy.forward(x)[0], net.forward(x)[0])


def test_digits_data_set_is_the_uci_test_set():
    x, labels = ppca.digits()
    assert x.shape == (1797, 64)
    assert x.min() == 0.0 and x.max() == 1.0
    assert sorted(set(labels.tolist())) == list(range(10))


def test_ppca_is_the_tipping_bishop_closed_form():
    model = ppca.fit(5)
    _, values, vectors = ppca._eigen()
    assert model.noise_variance == pytest.approx(values[5:].mean())
    # The model covariance W Wᵀ + σ² I has the data's top eigenvalues along the top directions.
    covariance = model.W @ model.W.T + model.noise_variance * np.eye(64)
    for k in range(5):
        v = vectors[:, k]
        assert v @ covariance @ v == pytest.approx(values[k], rel=1e-9)
    x, _ = ppca.digits()
    z = model.encode(x[:3])
    M = model.W.T @ model.W + model.noise_variance * np.eye(5)
    np.testing.assert_allclose(z, np.linalg.solve(M, model.W.T @ (x[:3] - model.mean).T).T)


def test_more_latent_dimensions_reconstruct_better():
    x, _ = ppca.digits()

    def error(q: int) -> float:
        model = ppca.fit(q)
        return float(((model.decode(model.encode(x)) - x) ** 2).mean())

    assert error(2) > error(8) > error(20)
    assert ppca.dimensions_for(0.9) == 21
    assert ppca.fit(21).explained >= 0.9 > ppca.fit(20).explained


def test_gan_careful_setting_covers_the_ring():
    training = gan.train(gan.Settings(), [0, 1000])
    final = training.snapshots[-1]
    assert final.step == 1000 and final.captured >= 6
    assert len(training.d_loss) == len(training.g_loss) == 1000
    again = gan.train(gan.Settings(), [1000])
    assert again.d_loss == training.d_loss  # fixed seeds: the same run


def test_gan_without_tricks_collapses():
    training = gan.train(gan.Settings(lr=0.02, beta1=0.9), [1000])
    final = training.snapshots[-1]
    assert final.captured <= 2
    assert final.spread < 1.0  # the samples bunch together: mode collapse


def test_mlp_needs_capacity_for_spirals():
    small = mlp.train(mlp.Settings(layers=1, width=2))
    default = mlp.train(mlp.Settings())
    assert small.accuracy < 0.8 < 0.97 < default.accuracy
    assert default.losses[-1] < default.losses[0]
    assert default.parameters == (2 * 16 + 16) + (16 * 16 + 16) + (16 + 1)


def test_attention_costs_cross_at_six_d_model():
    model = attention_cost.Model(d_model=1024, layers=2, heads=8, bytes_per_value=2)
    n = attention_cost.crossover(model)
    c = attention_cost.cost(model, n)
    assert n == 6144
    assert c.attention_flops == pytest.approx(c.transformer_flops / 2)
    assert c.kv_cache_bytes == 2 * 2 * n * 1024 * 2
    assert c.scores_bytes == 8 * n * n * 2
    # Linear against quadratic: doubling n doubles Mamba's FLOPs, and its state stays put.
    double = attention_cost.cost(model, 2 * n)
    assert double.mamba_flops == pytest.approx(2 * c.mamba_flops)
    assert double.mamba_state_bytes == c.mamba_state_bytes
    assert double.attention_flops == pytest.approx(4 * c.attention_flops)


def test_mamba_block_has_about_three_e_d_squared_parameters():
    model = attention_cost.Model(d_model=2048, layers=1)
    per_block = model.mamba_parameters / model.mamba_blocks
    assert per_block == pytest.approx(3 * 2 * 2048**2, rel=0.1)


def test_chinchilla_constants_are_the_papers():
    fit = scaling.CHINCHILLA
    assert (fit.E, fit.A, fit.B, fit.alpha, fit.beta) == (1.69, 406.4, 410.7, 0.34, 0.28)


@pytest.mark.parametrize("compute", [1e19, 5.76e23, 1e26])
def test_chinchilla_optimum_is_the_constrained_minimum(compute):
    fit = scaling.CHINCHILLA
    best = scaling.compute_optimal(fit, compute)
    assert best.compute == pytest.approx(compute)
    g = (0.34 * 406.4 / (0.28 * 410.7)) ** (1 / 0.62)
    assert best.parameters == pytest.approx(g * (compute / 6) ** (0.28 / 0.62))
    # Brute force along 6ND = C: no model size on a fine grid does better.
    sizes = np.logspace(math.log10(best.parameters) - 1, math.log10(best.parameters) + 1, 4001)
    losses = fit.E + fit.A / sizes**fit.alpha + fit.B / (compute / (6 * sizes)) ** fit.beta
    assert losses.min() >= best.loss - 1e-12
    assert sizes[losses.argmin()] == pytest.approx(best.parameters, rel=2e-3)


def test_rule_of_thumb_spends_the_same_compute_at_twenty_tokens_per_parameter():
    thumb = scaling.rule_of_thumb(scaling.CHINCHILLA, 1e22)
    assert thumb.tokens_per_parameter == pytest.approx(20)
    assert thumb.compute == pytest.approx(1e22)
    assert thumb.loss >= scaling.compute_optimal(scaling.CHINCHILLA, 1e22).loss
