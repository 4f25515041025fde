"""The diffusion lab's numbers: both schedules against hand-computed values, the forward strip,
and the mixture's closed-form score, denoiser and samplers."""

import math

import numpy as np
import pytest

from learning.visuals import diffusion, mixture, sample_images


def _linear_beta(t: int) -> float:
    return 1e-4 + t * (0.02 - 1e-4) / 999


def _cosine_f(t: float) -> float:
    return math.cos((t / 1000 + 0.008) / 1.008 * math.pi / 2) ** 2


def test_linear_schedule_matches_ho_et_al():
    betas = diffusion.betas("linear")
    assert betas[0] == pytest.approx(1e-4) and betas[-1] == pytest.approx(0.02)
    assert betas[500] == pytest.approx(_linear_beta(500))
    ab = diffusion.alpha_bars("linear")
    assert ab[0] == pytest.approx(0.9999)
    assert ab[1] == pytest.approx(0.9999 * (1 - _linear_beta(1)))
    by_hand = math.prod(1 - _linear_beta(t) for t in range(1000))
    assert ab[999] == pytest.approx(by_hand, rel=1e-9)
    assert ab[999] == pytest.approx(4.036e-5, rel=1e-3)


def test_cosine_schedule_matches_nichol_and_dhariwal():
    ab = diffusion.alpha_bars("cosine")
    # ᾱ_0 = f(1/T)/f(0) ≈ 1: the product telescopes while β is below the clip.
    assert ab[0] == pytest.approx(_cosine_f(1) / _cosine_f(0))
    assert ab[0] == pytest.approx(1.0, abs=1e-4)
    assert ab[500] == pytest.approx(_cosine_f(501) / _cosine_f(0), rel=1e-9)
    betas = diffusion.betas("cosine")
    assert betas[-1] == pytest.approx(0.999)  # 1 − ᾱ(T)/ᾱ(T−1) = 1, clipped
    assert betas.max() <= 0.999
    assert ab[999] == pytest.approx(ab[998] * 0.001)


def test_cosine_keeps_more_signal_in_the_middle():
    linear, cosine = diffusion.alpha_bars("linear"), diffusion.alpha_bars("cosine")
    assert np.all(np.diff(linear) < 0) and np.all(np.diff(cosine) < 0)
    assert cosine[500] > 4 * linear[500]
    assert diffusion.snr("linear")[250] == pytest.approx(linear[250] / (1 - linear[250]))


def test_forward_strip_frames_and_measured_correlation():
    pixels = sample_images.sample("scene", 64)
    strip = diffusion.forward_strip(pixels, [0, 250, 999], "linear", seed=7)
    assert strip.width == 3 * 64 + 2 * diffusion.GAP and strip.height == 64
    assert strip.png.startswith(b"\x89PNG")
    assert [f.t for f in strip.frames] == [0, 250, 999]
    std = float(diffusion.to_signed(pixels).std())
    expected = diffusion.expected_correlation("linear", std)
    for frame in strip.frames:
        assert frame.correlation == pytest.approx(expected[frame.t], abs=0.05)
    # The same seed draws the same noise: the strip is reproducible.
    again = diffusion.forward_strip(pixels, [0, 250, 999], "linear", seed=7)
    assert again.png == strip.png


def test_linear_schedule_destroys_the_image_before_cosine():
    std = float(diffusion.to_signed(sample_images.sample("scene", 128)).std())
    linear = diffusion.unrecognisable_at("linear", std)
    cosine = diffusion.unrecognisable_at("cosine", std)
    assert 400 < linear < cosine < 999


@pytest.mark.parametrize("name", list(mixture.MIXTURES))
@pytest.mark.parametrize("alpha_bar", [0.999, 0.3, 0.01])
def test_closed_form_score_is_the_gradient_of_the_log_density(name, alpha_bar):
    noised = mixture.MIXTURES[name].marginal(alpha_bar)
    points = np.random.default_rng(0).normal(size=(20, 2)) * 1.5
    h = 1e-5
    finite = np.stack(
        [
            (noised.log_density(points + [h, 0]) - noised.log_density(points - [h, 0])) / (2 * h),
            (noised.log_density(points + [0, h]) - noised.log_density(points - [0, h])) / (2 * h),
        ],
        axis=1,
    )
    np.testing.assert_allclose(noised.score(points), finite, rtol=1e-5, atol=1e-6)


def test_noised_marginal_is_the_closed_form_mixture():
    blobs = mixture.MIXTURES["blobs"]
    noised = blobs.marginal(0.36)
    np.testing.assert_allclose(noised.means, 0.6 * blobs.means)
    np.testing.assert_allclose(noised.stds**2, 0.36 * blobs.stds**2 + 0.64)


def test_denoiser_is_tweedies_formula():
    ring = mixture.MIXTURES["ring"]
    x = np.random.default_rng(1).normal(size=(30, 2))
    for alpha_bar in (0.9, 0.2, 1e-6):
        via_score = (x + (1 - alpha_bar) * ring.marginal(alpha_bar).score(x)) / math.sqrt(alpha_bar)
        np.testing.assert_allclose(
            mixture.denoise(ring, x, alpha_bar), via_score, rtol=1e-6, atol=1e-6
        )


def test_ddpm_samples_follow_the_mixture_weights():
    blobs = mixture.MIXTURES["blobs"]
    run = mixture.sample_ddpm(blobs, "linear", 600, seed=0, shown=5)
    shares = [c.share for c in mixture.check(blobs, run.samples)["components"]]
    np.testing.assert_allclose(shares, blobs.weights, atol=0.07)
    assert run.trajectories.shape[0] == 5 and run.steps == 1000


def test_ddim_is_deterministic_and_lands_on_the_modes():
    ring = mixture.MIXTURES["ring"]
    first = mixture.sample_ddim(ring, "cosine", 200, seed=3, shown=4, steps=50)
    second = mixture.sample_ddim(ring, "cosine", 200, seed=3, shown=4, steps=50)
    np.testing.assert_array_equal(first.samples, second.samples)
    distance = np.linalg.norm(first.samples[:, None] - ring.means[None], axis=2).min(axis=1)
    assert np.median(distance) < 3 * ring.stds[0]
