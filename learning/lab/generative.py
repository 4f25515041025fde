"""Lab, part 2: generative models you can watch (diffusion, PPCA as the VAE's linear cousin, a
GAN, an MLP, attention against state-space cost, Chinchilla scaling).

Every page reads its whole state from the query string (a GET form; htmx swaps the page's
`results` partial in place), computes with `learning.visuals`, caches the result under a hash of
its inputs, and draws PNGs through `image`, whose URLs are content-addressed: the path holds a
digest of the query, so a URL never changes meaning and is cached for a year. Bad input gets a
message next to its field, never a 500. Before a result, each page asks the learner to predict
it (the `guess` parameter) and then reveals it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

import numpy as np
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods
from PIL import Image

from learning.services import lab_guess_record
from learning.visuals import (
    attention_cost,
    charts,
    diffusion,
    gan,
    images,
    mixture,
    mlp,
    ppca,
    sample_images,
    scaling,
)
from learning.visuals.charts import sci

from . import uploads

# Bump when a computation changes: every cache key and image URL changes with it.
VERSION = "1"
RESULT_TTL = 24 * 60 * 60  # computed results: a day (they are pure functions of their inputs)
IMAGE_TTL = 60 * 60  # rendered PNGs in the server cache; browsers keep them for a year
IMMUTABLE = "public, max-age=31536000, immutable"


# Reading the query string -------------------------------------------------------------------


class Query:
    """Typed values from a QueryDict; each bad value records a message under its field name and
    yields the default."""

    def __init__(self, data: QueryDict):
        self.data = data
        self.errors: dict[str, str] = {}

    def raw(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is None or not value.strip():
            return None
        return value.strip()[:200]

    def fail(self, name: str, message: str, default):
        self.errors.setdefault(name, message)
        return default

    def integer(self, name: str, default: int, low: int, high: int, label: str) -> int:
        raw = self.raw(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            return self.fail(name, f"{label} must be a whole number, not “{raw[:40]}”.", default)
        if not low <= value <= high:
            return self.fail(
                name, f"{label} must be between {low:,} and {high:,}; you gave {value:,}.", default
            )
        return value

    def optional_integer(self, name: str, low: int, high: int, label: str) -> int | None:
        if self.raw(name) is None:
            return None
        return self.integer(name, None, low, high, label)  # type: ignore[arg-type]

    def number(self, name: str, default: float, low: float, high: float, label: str) -> float:
        raw = self.raw(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            return self.fail(name, f"{label} must be a number, not “{raw[:40]}”.", default)
        if not math.isfinite(value) or not low <= value <= high:
            return self.fail(
                name, f"{label} must be between {low:g} and {high:g}; you gave {raw[:40]}.", default
            )
        return value

    def choice(self, name: str, default, options: Iterable, label: str):
        """One of `options` (compared as strings, returned as the option itself)."""
        raw = self.raw(name)
        if raw is None:
            return default
        for option in options:
            if str(option) == raw:
                return option
        allowed = ", ".join(str(o) for o in options)
        return self.fail(name, f"{label} must be one of {allowed}; you gave “{raw[:40]}”.", default)

    def integers(
        self, name: str, default: list[int], low: int, high: int, most: int, label: str
    ) -> list[int]:
        """A comma- or space-separated list of whole numbers, sorted, without repeats."""
        raw = self.raw(name)
        if raw is None:
            return default
        parts = [p for p in raw.replace(",", " ").split() if p]
        values = []
        for part in parts:
            try:
                values.append(int(part))
            except ValueError:
                return self.fail(name, f"{label}: “{part[:20]}” is not a whole number.", default)
        values = sorted(set(values))
        if not values:
            return self.fail(name, f"{label}: give at least one value.", default)
        if len(values) > most:
            return self.fail(
                name, f"{label}: at most {most} values; you gave {len(values)}.", default
            )
        bad = [v for v in values if not low <= v <= high]
        if bad:
            return self.fail(
                name, f"{label} must be between {low} and {high}; {bad[0]} is not.", default
            )
        return values

    def revealed(self) -> bool:
        return self.data.get("reveal") == "1"


def _digest(*parts: Any) -> str:
    return hashlib.sha256(repr((VERSION, *parts)).encode()).hexdigest()[:32]


def cached(kind: str, key: Any, compute: Callable[[], Any], timeout: int = RESULT_TTL) -> Any:
    """`compute()`, cached under a hash of (kind, key): a second request is a cache read.
    None (nothing to compute, e.g. an expired upload) is returned but not cached."""
    cache_key = f"lab:gen:{kind}:{_digest(kind, key)}"
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        if value is not None:
            cache.set(cache_key, value, timeout)
    return value


def hidden_fields(params: dict[str, Any], *exclude: str) -> list[tuple[str, str]]:
    """The state a form carries along without showing it: every parameter but its own fields."""
    return [(k, str(v)) for k, v in params.items() if k not in exclude and v not in (None, "")]


def image_url(kind: str, params: dict[str, Any]) -> str:
    """The content-addressed URL of a PNG: /lab/img/<digest of kind and params>.png?<params>."""
    query = {"kind": kind, **{k: str(v) for k, v in params.items()}}
    encoded = urlencode(sorted(query.items()))
    # One parameter holding the encoded query: the URL has no "&", so it reads the same in
    # HTML (where "&" must be written "&amp;") and anywhere else it is copied to.
    return reverse("lab:image", args=[_digest(encoded)]) + "?" + urlencode({"p": encoded})


def state_fields(params: dict[str, Any], revealed: bool, **forms: Iterable[str]) -> dict:
    """Hidden inputs for each form on a page: `hidden_all` (every parameter, for the guess
    form) and `hidden_<form>` (all but that form's own fields, plus `reveal` once revealed)."""
    reveal = [("reveal", "1")] if revealed else []
    fields: dict[str, Any] = {
        "hidden_all": hidden_fields(params),
        "reveal_query": "?" + _query_string({**params, "reveal": "1"}),
    }
    for name, own in forms.items():
        fields[f"hidden_{name}"] = hidden_fields(params, *own) + reveal
    return fields


def _page(request: HttpRequest, template: str, context: dict, errors: dict) -> HttpResponse:
    """The page, or its results partial for htmx. Errors answer 400 to a plain request; to htmx
    they answer 200, because htmx 2 does not swap 4xx responses and the learner must see the
    message in place."""
    context = {"errors": errors, "swapped": bool(request.htmx), **context}
    if request.htmx:
        response = render(request, f"{template}#results", context)
    else:
        response = render(request, template, context, status=400 if errors else 200)
    patch_vary_headers(response, ["HX-Request"])
    return response


def record_prediction(request: HttpRequest, page: str, guess: Any, answer: Any) -> None:
    """A signed-in learner's revealed guess counts as activity (once a day per page state)."""
    if request.user.is_authenticated:
        lab_guess_record(
            user=request.user, lab=page, correct=guess == answer, state=request.GET.urlencode()
        )


def _guess_feedback(
    guess: int | None, answer: int, close: int, unit: str = "steps", words=("before", "after")
) -> dict | None:
    """How far a numeric guess was: {"close": within `close`, "text": "120 steps before your
    guess"}."""
    if guess is None:
        return None
    miss = guess - answer
    if miss == 0:
        text = "exactly your guess"
    else:
        text = f"{abs(miss):,} {unit} {words[0] if miss > 0 else words[1]} your guess"
    return {"close": abs(miss) <= close, "text": text}


def _query_string(params: dict[str, Any]) -> str:
    return urlencode({k: str(v) for k, v in params.items() if v is not None and v != ""})


# Diffusion ----------------------------------------------------------------------------------

DEFAULT_TIMESTEPS = [0, 50, 100, 250, 500, 750, 999]
MAX_FRAMES = 12
FRAME_SIZES = (64, 128, 256)
SAMPLERS = {"ddpm": "DDPM ancestral sampling (all 1,000 steps)", "ddim": "DDIM, deterministic"}
REVERSE_EXTENT = 3.5
MARGINAL_STEPS = (0, 250, 500, 750, 999)


@dataclass(frozen=True)
class DiffusionSettings:
    image: str = "scene"
    t: tuple[int, ...] = tuple(DEFAULT_TIMESTEPS)
    seed: int = 0
    size: int = 128
    mixture: str = "blobs"
    sampler: str = "ddpm"
    steps: int = 50
    rschedule: str = "linear"
    samples: int = 300
    rseed: int = 0

    def params(self) -> dict[str, Any]:
        values = asdict(self)
        values["t"] = ",".join(str(t) for t in self.t)
        return values


def parse_diffusion(query: Query) -> DiffusionSettings:
    d = DiffusionSettings()
    image = query.raw("image") or d.image
    if image not in sample_images.SAMPLES and not uploads.DIGEST.match(image):
        query.fail("image", "Choose one of the sample images, or upload your own.", None)
        image = d.image
    return DiffusionSettings(
        image=image,
        t=tuple(query.integers("t", list(d.t), 0, diffusion.T - 1, MAX_FRAMES, "Timesteps")),
        seed=query.integer("seed", d.seed, 0, 2**32 - 1, "Seed"),
        size=query.choice("size", d.size, FRAME_SIZES, "Frame size"),
        mixture=query.choice("mixture", d.mixture, mixture.MIXTURES, "Data set"),
        sampler=query.choice("sampler", d.sampler, SAMPLERS, "Sampler"),
        steps=query.integer("steps", d.steps, 2, diffusion.T, "DDIM steps"),
        rschedule=query.choice("rschedule", d.rschedule, diffusion.SCHEDULES, "Schedule"),
        samples=query.integer("samples", d.samples, 10, 1000, "Samples"),
        rseed=query.integer("rseed", d.rseed, 0, 2**32 - 1, "Sampling seed"),
    )


def _source_pixels(settings: DiffusionSettings) -> np.ndarray | None:
    """The image at the frame size: a bundled sample, or an upload while it is cached."""
    if settings.image in sample_images.SAMPLES:
        return sample_images.sample(settings.image, settings.size)
    pixels = uploads.load(settings.image)
    if pixels is None:
        return None
    if pixels.shape[0] != settings.size:
        pixels = np.asarray(
            Image.fromarray(pixels).resize((settings.size,) * 2, Image.Resampling.LANCZOS)
        )
    return pixels


def diffusion_strip(settings: DiffusionSettings, schedule: str) -> diffusion.Strip | None:
    """The strip for one schedule, cached; None when an uploaded image has expired."""

    def compute() -> diffusion.Strip | None:
        pixels = _source_pixels(settings)
        if pixels is None:
            return None
        return diffusion.forward_strip(pixels, list(settings.t), schedule, settings.seed)

    key = (settings.image, settings.t, settings.seed, settings.size, schedule)
    return cached("strip", key, compute)


def _pixel_std(settings: DiffusionSettings) -> float | None:
    def compute():
        pixels = _source_pixels(settings)
        return None if pixels is None else float(diffusion.to_signed(pixels).std())

    return cached("pixel-std", (settings.image, settings.size), compute)


@dataclass(frozen=True)
class Reverse:
    sampling: mixture.Sampling
    check: dict


def reverse_process(settings: DiffusionSettings) -> Reverse:
    key = (settings.mixture, settings.sampler, settings.steps, settings.rschedule,
           settings.samples, settings.rseed)  # fmt: skip

    def compute() -> Reverse:
        mix = mixture.MIXTURES[settings.mixture]
        # Ancestral paths are random walks: fewer of them keep the plot readable.
        shown = min(8 if settings.sampler == "ddpm" else 16, settings.samples)
        if settings.sampler == "ddpm":
            run = mixture.sample_ddpm(
                mix, settings.rschedule, settings.samples, settings.rseed, shown
            )
        else:
            run = mixture.sample_ddim(
                mix, settings.rschedule, settings.samples, settings.rseed, shown, settings.steps
            )
        return Reverse(run, mixture.check(mix, run.samples))

    return cached("reverse", key, compute)


def _schedule_plots() -> dict:
    def compute() -> dict:
        ts = diffusion.curve_points()
        ab = {s: diffusion.alpha_bars(s)[ts].tolist() for s in diffusion.SCHEDULES}
        snr = {s: diffusion.snr(s)[ts].tolist() for s in diffusion.SCHEDULES}
        names = diffusion.SCHEDULE_NAMES
        alpha_plot, _, _ = charts.line_plot(
            [(names[s], ts, ab[s]) for s in diffusion.SCHEDULES],
            title="ᾱ_t against t for the linear and cosine schedules",
            description="Both start at 1 (all signal). The linear schedule's ᾱ falls fast and is "
            "near 0 from about t = 600; the cosine schedule falls slowly, nearly linearly in the "
            "middle, and reaches 0 only at the end. The table below lists the values.",
            x_label="timestep t",
            y_label="ᾱ (share of signal variance)",
            x_range=(0, diffusion.T - 1),
            y_range=(0.0, 1.0),
        )
        snr_plot, _, _ = charts.line_plot(
            [(names[s], ts, snr[s]) for s in diffusion.SCHEDULES],
            title="Signal-to-noise ratio ᾱ_t / (1 − ᾱ_t), log scale",
            description="Both fall steeply over the first steps. After that the cosine "
            "schedule's SNR falls steadily and plunges only at the very end (where β is clipped); "
            "the linear schedule's stays well below it and is under 0.01 for roughly its last 300 "
            "steps. The table below lists the values.",
            x_label="timestep t",
            y_label="SNR (log scale)",
            x_log=False,
            y_log=True,
            x_range=(0, diffusion.T - 1),
        )
        table_ts = [*range(0, diffusion.T, 100), diffusion.T - 1]
        rows = [
            {
                "t": t,
                **{
                    f"{s}_ab": sci(float(diffusion.alpha_bars(s)[t]), 4)
                    for s in diffusion.SCHEDULES
                },
                **{f"{s}_snr": sci(float(diffusion.snr(s)[t]), 3) for s in diffusion.SCHEDULES},
            }
            for t in table_ts
        ]
        return {"alpha": alpha_plot, "snr": snr_plot, "rows": rows}

    return cached("schedule-plots", (), compute)


def _reverse_plot(settings: DiffusionSettings, result: Reverse) -> dict:
    background = image_url("density", {"mixture": settings.mixture, "rschedule": "linear", "t": 0})
    plot, x, y = charts.scatter_plot(
        title="Reverse process: trajectories from noise to data, over the true density",
        description=f"{len(result.sampling.trajectories)} of the {settings.samples} samples' "
        "paths (lines) start at grey dots drawn from N(0, I) and end at coloured dots; the "
        "violet shading is the true data density. The tables below give the numbers.",
        extent=REVERSE_EXTENT,
        size=420,
        background=background,
    )
    for i, path in enumerate(result.sampling.trajectories):
        points = charts.polyline(path[:, 0], path[:, 1], x, y)
        plot.lines.append(
            charts.Line("", points, charts.COLOURS[i % len(charts.COLOURS)], "", width=1.2)
        )
    starts = result.sampling.trajectories[:, 0, :]
    plot.dots.append(
        charts.Dots(
            "start (noise)", [(round(x(a), 1), round(y(b), 1)) for a, b in starts], "#6b6b6b", 2.5
        )
    )
    plot.dots.append(
        charts.Dots(
            "final sample",
            [(round(x(a), 1), round(y(b), 1)) for a, b in result.sampling.samples],
            "#d62728",
            2.0,
            0.7,
        )
    )
    return {"plot": plot}


def _diffusion_context(request: HttpRequest, query: Query, settings: DiffusionSettings) -> dict:
    guess = query.optional_integer("guess", 0, diffusion.T - 1, "Your guess")
    context: dict[str, Any] = {
        "settings": settings,
        "samples": [(name, label) for name, (label, _) in sample_images.SAMPLES.items()],
        "uploaded": settings.image if settings.image.startswith(uploads.PREFIX) else "",
        "mixtures": mixture.MIXTURE_NAMES,
        "samplers": SAMPLERS,
        "schedules": diffusion.SCHEDULE_NAMES,
        "frame_sizes": FRAME_SIZES,
        "t_text": ", ".join(str(t) for t in settings.t),
        "guess": guess,
        "revealed": guess is not None or query.revealed(),
        "upload_ttl_minutes": uploads.UPLOAD_TTL // 60,
        "max_frames": MAX_FRAMES,
    }
    context |= state_fields(
        settings.params(),
        context["revealed"],
        forward=("image", "t", "seed", "size"),
        reverse=("mixture", "sampler", "steps", "rschedule", "samples", "rseed"),
        upload=("image",),
    )
    if query.errors:
        return context
    strips = {s: diffusion_strip(settings, s) for s in diffusion.SCHEDULES}
    if any(strip is None for strip in strips.values()):
        query.errors["image"] = (
            f"This uploaded image is no longer kept (uploads are deleted after "
            f"{uploads.UPLOAD_TTL // 60} minutes). Upload it again, or pick a sample."
        )
        return context
    std = _pixel_std(settings) or 0.0
    lost = {s: diffusion.unrecognisable_at(s, std) for s in diffusion.SCHEDULES}
    frames = []
    for i, t in enumerate(settings.t):
        row = {"t": t}
        for s in diffusion.SCHEDULES:
            frame = strips[s].frames[i]
            row[s] = {
                "alpha_bar": sci(frame.alpha_bar, 4),
                "snr": sci(frame.snr, 3),
                "correlation": f"{frame.correlation:.3f}",
            }
        frames.append(row)
    if context["revealed"] and guess is not None:
        record_prediction(request, "diffusion", guess, lost["linear"])
    reverse_result = reverse_process(settings)
    mix = mixture.MIXTURES[settings.mixture]
    context |= {
        "strips": [
            {
                "schedule": s,
                "name": diffusion.SCHEDULE_NAMES[s],
                "url": image_url("strip", {**settings.params(), "schedule": s}),
                "width": strips[s].width,
                "height": strips[s].height,
                "alt": f"{diffusion.SCHEDULE_NAMES[s]}: the image at t = "
                + ", ".join(str(t) for t in settings.t)
                + f", left to right; it is no longer recognisable from about t = {lost[s]}.",
            }
            for s in diffusion.SCHEDULES
        ],
        "frames": frames,
        "lost": lost,
        "lost_threshold": diffusion.UNRECOGNISABLE_CORRELATION,
        "pixel_std": f"{std:.3f}",
        "guess_feedback": _guess_feedback(guess, lost["linear"], 100),
        "schedule_plots": _schedule_plots(),
        "reverse": reverse_result,
        "reverse_plot": _reverse_plot(settings, reverse_result),
        "reverse_rows": [
            {
                "k": k + 1,
                "mean": f"({c.mean[0]:.2f}, {c.mean[1]:.2f})",
                "std": f"{mix.stds[k]:.2f}",
                "weight": f"{c.weight:.1%}",
                "share": f"{c.share:.1%}",
                "sample_mean": "—"
                if c.sample_mean is None
                else f"({c.sample_mean[0]:.2f}, {c.sample_mean[1]:.2f})",
            }
            for k, c in enumerate(reverse_result.check["components"])
        ],
        "trajectory_rows": [
            {
                "i": i + 1,
                "start": f"({path[0, 0]:.2f}, {path[0, 1]:.2f})",
                "end": f"({path[-1, 0]:.2f}, {path[-1, 1]:.2f})",
                "component": int(mix.responsibilities(path[-1:])[0].argmax()) + 1,
            }
            for i, path in enumerate(reverse_result.sampling.trajectories[:6])
        ],
        "log_density": f"{reverse_result.check['mean_log_density']:.3f}",
        "reference_log_density": f"{reverse_result.check['reference_log_density']:.3f}",
        "marginals": [
            {
                "t": t,
                "url": image_url(
                    "density",
                    {"mixture": settings.mixture, "rschedule": settings.rschedule, "t": t},
                ),
                "alpha_bar": sci(float(diffusion.alpha_bars(settings.rschedule)[t]), 3),
            }
            for t in MARGINAL_STEPS
        ],
    }
    return context


@csrf_exempt
@require_http_methods(["GET", "POST"])
def diffusion_page(request: HttpRequest) -> HttpResponse:
    """/lab/diffusion/: the forward process on an image, and the exact reverse process on a
    2-D mixture. A POST uploads an image (see `_upload`)."""
    if request.method == "POST":
        # Before anything reads request.POST: keep uploads in memory, bounded.
        request.upload_handlers = [uploads.BoundedMemoryUploadHandler(request)]
        return _upload(request)
    query = Query(request.GET)
    settings = parse_diffusion(query)
    context = _diffusion_context(request, query, settings)
    return _page(request, "lab/generative/diffusion.html", context, query.errors)


@csrf_protect
def _upload(request: HttpRequest) -> HttpResponse:
    """Checks the upload in memory, keeps only its derived picture (see uploads.py), and
    redirects (303) to the GET URL that names it, with the rest of the form's state. A refused
    file re-renders the page (400) with the reason next to the file field."""
    query = Query(request.POST)
    settings = parse_diffusion(query)  # the page's other settings, from hidden fields
    handler = request.upload_handlers[0]
    upload = request.FILES.get("upload")
    error = ""
    if getattr(handler, "too_big", False):
        error = f"The file is larger than {images.MAX_BYTES // 1024 // 1024} MB, the limit."
    elif upload is None:
        error = "Choose an image file to upload."
    else:
        try:
            picture = images.open_checked(upload.read(), upload.name or "", upload.content_type)
            pixels = images.derive(picture)
        except images.ImageRejected as rejected:
            error = str(rejected)
    if error:
        query.errors.clear()  # bad hidden fields fell back to their defaults
        context = _diffusion_context(request, query, settings)
        context |= {"errors": {**query.errors, "upload": error}, "swapped": False}
        return render(request, "lab/generative/diffusion.html", context, status=400)
    settings = replace(settings, image=uploads.store(pixels))
    params = {**settings.params(), "reveal": "1" if query.data.get("reveal") == "1" else ""}
    return HttpResponseRedirect(reverse("lab:diffusion") + "?" + _query_string(params), status=303)


# PPCA (the VAE page) ------------------------------------------------------------------------

WALK_STEPS = 9
PRIOR_SAMPLES = 16
CELL = ppca.SIDE * 8 + 2  # a digit drawn 8× (nearest neighbour) plus the grid's gap


@dataclass(frozen=True)
class VaeSettings:
    q: int = 8
    start: int = 3
    end: int = 8
    example: int = 0
    seed: int = 0


def parse_vae(query: Query) -> VaeSettings:
    d = VaeSettings()
    return VaeSettings(
        q=query.integer("q", d.q, 1, ppca.MAX_LATENT, "Latent dimensions"),
        start=query.integer("start", d.start, 0, 9, "First digit"),
        end=query.integer("end", d.end, 0, 9, "Second digit"),
        example=query.integer("example", d.example, 0, 99, "Example number"),
        seed=query.integer("seed", d.seed, 0, 2**32 - 1, "Seed"),
    )


def _walk_codes(model: ppca.PPCA, settings: VaeSettings) -> np.ndarray:
    x, _ = ppca.digits()
    a = model.encode(x[[ppca.example(settings.start, settings.example)]])[0]
    b = model.encode(x[[ppca.example(settings.end, settings.example)]])[0]
    share = np.linspace(0.0, 1.0, WALK_STEPS)[:, None]
    return (1 - share) * a + share * b


def _prior_codes(settings: VaeSettings) -> np.ndarray:
    return np.random.default_rng(settings.seed).standard_normal((PRIOR_SAMPLES, settings.q))


def _recon_rows(settings: VaeSettings) -> list[int]:
    return [ppca.example(label, settings.example) for label in range(10)]


def vae_png(settings: VaeSettings, which: str) -> bytes:
    model = ppca.fit(settings.q)
    x, _ = ppca.digits()
    if which == "data":  # the data set itself, before any fit: what the model must capture
        return ppca.grid_png(x[_recon_rows(settings)], columns=10)
    if which == "recon":
        originals = x[_recon_rows(settings)]
        grid = np.concatenate([originals, model.decode(model.encode(originals))])
        return ppca.grid_png(grid, columns=10)
    if which == "walk":
        return ppca.grid_png(model.decode(_walk_codes(model, settings)), columns=WALK_STEPS)
    if which == "prior":
        return ppca.grid_png(model.decode(_prior_codes(settings)), columns=8)
    if which == "latent":
        return ppca.latent_map_png(model)
    raise Http404("unknown picture")


def _vae_context(request: HttpRequest, query: Query, settings: VaeSettings) -> dict:
    guess = query.optional_integer("guess", 1, 64, "Your guess")
    context: dict[str, Any] = {
        "settings": settings,
        "guess": guess,
        "revealed": guess is not None or query.revealed(),
        "digits_range": range(10),
        "max_latent": ppca.MAX_LATENT,
        "data_image": image_url("digits", {**asdict(settings), "which": "data"}),
    }
    context |= state_fields(asdict(settings), context["revealed"], settings=asdict(settings))
    if query.errors:
        return context

    def compute() -> dict:
        model = ppca.fit(settings.q)
        x, labels = ppca.digits()
        rows = _recon_rows(settings)
        recon = model.decode(model.encode(x[rows]))
        walk_codes = _walk_codes(model, settings)
        walk = model.decode(walk_codes)
        prior = model.decode(_prior_codes(settings))
        z = model.encode(x)
        total = float(model.eigenvalues.sum())
        cumulative = np.cumsum(model.eigenvalues) / total
        return {
            "noise_variance": model.noise_variance,
            "explained": model.explained,
            "needed_90": ppca.dimensions_for(0.9),
            "recon_rows": [
                {"label": label, "row": row, "rms": float(np.sqrt(((x[row] - r) ** 2).mean()))}
                for label, row, r in zip(range(10), rows, recon, strict=True)
            ],
            "walk_rows": [
                {
                    "step": i,
                    "share": i / (WALK_STEPS - 1),
                    "z1": float(code[0]),
                    "z2": float(code[1]) if settings.q > 1 else None,
                    "nearest": nearest,
                }
                for i, (code, nearest) in enumerate(
                    zip(walk_codes, ppca.nearest_labels(walk), strict=True)
                )
            ],
            "prior_rows": [
                {"i": i + 1, "label": label, "rms": rms}
                for i, (label, rms) in enumerate(ppca.nearest_labels(prior))
            ],
            "spectrum": [
                {"k": k + 1, "value": float(v), "share": float(v / total), "cumulative": float(c)}
                for k, (v, c) in enumerate(
                    zip(model.eigenvalues[:12], cumulative[:12], strict=True)
                )
            ],
            "class_means": [
                {
                    "label": label,
                    "z1": float(z[labels == label, 0].mean()),
                    "z2": float(z[labels == label, 1].mean()) if settings.q > 1 else None,
                }
                for label in range(10)
            ],
        }

    result = cached("vae", settings, compute)
    if context["revealed"] and guess is not None:
        record_prediction(request, "vae", guess, result["needed_90"])
    params = asdict(settings)
    context |= {
        "result": result,
        "explained": f"{result['explained']:.1%}",
        "guess_feedback": _guess_feedback(
            guess, result["needed_90"], 3, "dimensions", ("fewer than", "more than")
        ),
        "pictures": {
            which: {
                "url": image_url("digits", {**params, "which": which}),
                "width": columns * CELL - 2 if columns else 320,
                "height": rows * CELL - 2 if columns else 320,
            }
            for which, columns, rows in (
                ("recon", 10, 2),
                ("walk", WALK_STEPS, 1),
                ("prior", 8, 2),
                ("latent", 0, 0),
            )
        },
    }
    return context


@require_GET
def vae(request: HttpRequest) -> HttpResponse:
    """/lab/vae/: probabilistic PCA on 8 × 8 digits (the linear VAE)."""
    query = Query(request.GET)
    settings = parse_vae(query)
    context = _vae_context(request, query, settings)
    return _page(request, "lab/generative/vae.html", context, query.errors)


# GAN ----------------------------------------------------------------------------------------

GAN_LRS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02)
GAN_BETA1 = (0.5, 0.9)
GAN_LATENT = (1, 2, 4, 8)
GAN_WIDTHS = (8, 16, 32)
GAN_STEPS = (250, 500, 1000)
GAN_PRESETS = {
    "healthy": ("Careful: learning rate 0.002, Adam β₁ = 0.5", {"lr": 0.002, "beta1": 0.5}),
    "collapse": (
        "No tricks: learning rate 0.02, Adam's default β₁ = 0.9",
        {"lr": 0.02, "beta1": 0.9},
    ),
}
GAN_GUESSES = {
    "all": "It will cover all 8 modes",
    "some": "It will cover some of them",
    "one": "It will collapse onto one or two",
}
MAX_SNAPSHOTS = 6


@dataclass(frozen=True)
class GanPage:
    settings: gan.Settings = field(default_factory=gan.Settings)
    at: tuple[int, ...] = ()

    def params(self) -> dict[str, Any]:
        return {**asdict(self.settings), "at": ",".join(str(a) for a in self.at)}


def parse_gan(query: Query) -> GanPage:
    d = gan.Settings()
    settings = gan.Settings(
        lr=query.choice("lr", d.lr, GAN_LRS, "Learning rate"),
        beta1=query.choice("beta1", d.beta1, GAN_BETA1, "Adam β₁"),
        latent=query.choice("latent", d.latent, GAN_LATENT, "Latent dimensions"),
        width=query.choice("width", d.width, GAN_WIDTHS, "Hidden width"),
        steps=query.choice("steps", d.steps, GAN_STEPS, "Training steps"),
        seed=query.integer("seed", d.seed, 0, 9999, "Seed"),
    )
    default_at = [0, settings.steps // 4, settings.steps // 2, settings.steps]
    at = query.integers("at", default_at, 0, settings.steps, MAX_SNAPSHOTS, "Snapshot steps")
    return GanPage(settings, tuple(at))


def gan_training(page: GanPage) -> gan.Training:
    wanted = sorted({*page.at, page.settings.steps})
    return cached("gan", (page.settings, tuple(wanted)), lambda: gan.train(page.settings, wanted))


def _gan_context(request: HttpRequest, query: Query, page: GanPage) -> dict:
    guess = query.choice("guess", None, GAN_GUESSES, "Your guess")
    context: dict[str, Any] = {
        "page": page,
        "settings": page.settings,
        "choices": {
            "lr": GAN_LRS,
            "beta1": GAN_BETA1,
            "latent": GAN_LATENT,
            "width": GAN_WIDTHS,
            "steps": GAN_STEPS,
        },
        "at_text": ", ".join(str(a) for a in page.at),
        "guesses": GAN_GUESSES,
        "guess": guess,
        "revealed": guess is not None or query.revealed(),
        "presets": [
            (label, "?" + _query_string({**page.params(), **values, "at": ""}))
            for label, values in GAN_PRESETS.values()
        ],
        "modes": gan.MODES,
        # The data the generator must learn, shown before training: 400 points, a fixed seed.
        "real_points": [
            (round(100 + 20 * float(x), 1), round(100 - 20 * float(y), 1))
            for x, y in gan.real_samples(400, np.random.default_rng(0))
        ],
    }
    context |= state_fields(page.params(), context["revealed"], settings=page.params())
    if query.errors:
        return context
    training = gan_training(page)
    final = next(s for s in training.snapshots if s.step == page.settings.steps)
    outcome = "all" if final.captured == gan.MODES else ("one" if final.captured <= 2 else "some")
    if guess is not None:
        record_prediction(request, "gan", guess, outcome)
    steps, d_mean = gan.binned(training.d_loss, 50)
    _, g_mean = gan.binned(training.g_loss, 50)
    loss_plot, x, y = charts.line_plot(
        [("discriminator loss", steps, d_mean), ("generator loss", steps, g_mean)],
        title="GAN losses over training (mean over each run of steps)",
        description="The discriminator's and generator's losses, averaged over runs of "
        f"{max(1, page.settings.steps // 50)} steps. Dotted grey lines mark where they sit when "
        "the discriminator cannot tell real from generated (2 ln 2 and ln 2). The table gives "
        "the values.",
        x_label="training step",
        y_label="loss (nats)",
        x_range=(0, page.settings.steps),
    )
    for level, label in ((gan.D_EQUILIBRIUM, "2 ln 2"), (gan.G_EQUILIBRIUM, "ln 2")):
        points = charts.polyline([0, page.settings.steps], [level, level], x, y)
        loss_plot.lines.append(charts.Line("", points, "#6b6b6b", "2 4", 1.0))
        loss_plot.labels.append(
            charts.Label(x(page.settings.steps) - 4, y(level) - 4, label, "end")
        )
    panels = []
    real = training.real
    for snapshot in training.snapshots:
        if snapshot.step not in page.at:
            continue
        plot, px, py = charts.scatter_plot(
            title=f"Step {snapshot.step}: generated points against the real ring",
            description=f"Grey: {len(real)} real points on 8 modes. Red: {len(snapshot.points)} "
            f"generated points. {snapshot.captured} of 8 modes captured, "
            f"{snapshot.quality:.0%} of samples within 3σ of a mode.",
            extent=3.0,
            size=260,
        )
        plot.legend = False
        plot.dots.append(
            charts.Dots(
                "real", [(round(px(a), 1), round(py(b), 1)) for a, b in real], "#6b6b6b", 2.0, 0.5
            )
        )
        plot.dots.append(
            charts.Dots(
                "generated",
                [(round(px(a), 1), round(py(b), 1)) for a, b in snapshot.points],
                "#d62728",
                2.0,
                0.7,
            )
        )
        panels.append(
            {
                "snapshot": snapshot,
                "plot": plot,
                "id": f"panel-{snapshot.step}",
                "quality": f"{snapshot.quality:.1%}",
            }
        )
    table_every = max(1, page.settings.steps // 10)
    context |= {
        "training": training,
        "final": final,
        "final_quality": f"{final.quality:.1%}",
        "collapsed": final.spread < 1.0,
        "outcome": outcome,
        "outcome_text": GAN_GUESSES[outcome],
        "guess_text": GAN_GUESSES.get(guess or "", ""),
        "loss_plot": loss_plot,
        "loss_rows": [
            {
                "step": s,
                "d": f"{np.mean(training.d_loss[max(0, s - table_every) : s]):.3f}",
                "g": f"{np.mean(training.g_loss[max(0, s - table_every) : s]):.3f}",
            }
            for s in range(table_every, page.settings.steps + 1, table_every)
        ],
        "panels": panels,
        "seconds": f"{training.seconds:.2f}",
    }
    return context


@require_GET
def gan_page(request: HttpRequest) -> HttpResponse:
    """/lab/gan/: a tiny GAN on eight Gaussians, and the setting that makes it collapse."""
    query = Query(request.GET)
    page = parse_gan(query)
    context = _gan_context(request, query, page)
    return _page(request, "lab/generative/gan.html", context, query.errors)


# Networks (the MLP) -------------------------------------------------------------------------

MLP_WIDTHS = (2, 4, 8, 16, 32)
MLP_STEPS = (100, 300, 1000)
MLP_LRS = (0.001, 0.003, 0.01, 0.03, 0.1)
MLP_GUESSES = {
    "low": "Below 70%",
    "mid": "70% to 90%",
    "high": "90% to 99%",
    "top": "99% or more",
}


def _accuracy_band(accuracy: float) -> str:
    if accuracy < 0.7:
        return "low"
    if accuracy < 0.9:
        return "mid"
    return "high" if accuracy < 0.99 else "top"


def parse_mlp(query: Query) -> mlp.Settings:
    d = mlp.Settings()
    return mlp.Settings(
        data=query.choice("data", d.data, mlp.DATASETS, "Data set"),
        layers=query.integer("layers", d.layers, 1, 4, "Hidden layers"),
        width=query.choice("width", d.width, MLP_WIDTHS, "Units per layer"),
        activation=query.choice("activation", d.activation, ("tanh", "relu"), "Activation"),
        steps=query.choice("steps", d.steps, MLP_STEPS, "Training steps"),
        lr=query.choice("lr", d.lr, MLP_LRS, "Learning rate"),
        seed=query.integer("seed", d.seed, 0, 9999, "Seed"),
    )


def mlp_result(settings: mlp.Settings) -> mlp.Result:
    return cached("mlp", settings, lambda: mlp.train(settings))


def _mlp_context(request: HttpRequest, query: Query, settings: mlp.Settings) -> dict:
    guess = query.choice("guess", None, MLP_GUESSES, "Your guess")
    context: dict[str, Any] = {
        "settings": settings,
        "datasets": mlp.DATASETS,
        "choices": {"width": MLP_WIDTHS, "steps": MLP_STEPS, "lr": MLP_LRS},
        "guesses": MLP_GUESSES,
        "guess": guess,
        "revealed": guess is not None or query.revealed(),
    }
    context |= state_fields(asdict(settings), context["revealed"], settings=asdict(settings))
    if query.errors:
        return context
    result = mlp_result(settings)
    band = _accuracy_band(result.accuracy)
    if guess is not None:
        record_prediction(request, "networks", guess, band)
    every = max(1, settings.steps // 50)
    steps = list(range(every, settings.steps + 1, every))
    loss_plot, _, _ = charts.line_plot(
        [
            ("training loss (cross-entropy)", steps, [result.losses[s - 1] for s in steps]),
            ("training accuracy", steps, [result.accuracies[s - 1] for s in steps]),
        ],
        title="Loss and accuracy over training",
        description=f"Cross-entropy loss falls from {result.losses[0]:.2f} to "
        f"{result.losses[-1]:.3f}; accuracy ends at {result.accuracy:.1%}. The table gives the "
        "values.",
        x_label="training step",
        y_label="loss (nats) / accuracy",
        x_range=(0, settings.steps),
    )
    params = asdict(settings)
    table_every = max(1, settings.steps // 10)
    context |= {
        "result": result,
        "accuracy": f"{result.accuracy:.1%}",
        "band": band,
        "band_text": MLP_GUESSES[band],
        "guess_text": MLP_GUESSES.get(guess or "", ""),
        "final_loss": f"{result.losses[-1]:.4f}",
        "boundary_url": image_url("boundary", params),
        "layers": [
            {
                "index": i + 1,
                "url": image_url("layer", {**params, "layer": i}),
                "width": min(settings.width, 8) * 76 - 4,
                "height": -(-settings.width // 8) * 76 - 4,
            }
            for i in range(settings.layers)
        ],
        "units": mlp.unit_summary(result),
        "loss_plot": loss_plot,
        "loss_rows": [
            {
                "step": s,
                "loss": f"{result.losses[s - 1]:.4f}",
                "accuracy": f"{result.accuracies[s - 1]:.1%}",
            }
            for s in range(table_every, settings.steps + 1, table_every)
        ],
    }
    return context


@require_GET
def networks(request: HttpRequest) -> HttpResponse:
    """/lab/networks/: an MLP's decision boundary and hidden layers."""
    query = Query(request.GET)
    settings = parse_mlp(query)
    context = _mlp_context(request, query, settings)
    return _page(request, "lab/generative/networks.html", context, query.errors)


# Attention against state-space cost ----------------------------------------------------------

BYTES = {1: "1 (int8)", 2: "2 (fp16 / bf16)", 4: "4 (fp32)"}


@dataclass(frozen=True)
class AttentionSettings:
    d_model: int = 2048
    layers: int = 24
    heads: int = 16
    n: int = 32768
    bytes: int = 2


def parse_attention(query: Query) -> AttentionSettings:
    d = AttentionSettings()
    settings = AttentionSettings(
        d_model=query.integer("d_model", d.d_model, 64, 65536, "Model width d_model"),
        layers=query.integer("layers", d.layers, 1, 256, "Layers"),
        heads=query.integer("heads", d.heads, 1, 256, "Heads"),
        n=query.integer("n", d.n, 1, 10**8, "Context length n"),
        bytes=query.choice("bytes", d.bytes, BYTES, "Bytes per value"),
    )
    if not {"heads", "d_model"} & query.errors.keys() and settings.d_model % settings.heads:
        query.errors["heads"] = (
            f"The number of heads must divide d_model ({settings.d_model:,}); "
            f"{settings.heads} does not."
        )
    return settings


def _bytes(value: float) -> str:
    for size, unit in ((2**40, "TiB"), (2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if value >= size:
            return f"{value / size:,.1f} {unit}"
    return f"{value:,.0f} B"


def _attention_context(request: HttpRequest, query: Query, settings: AttentionSettings) -> dict:
    guess = query.optional_integer("guess", 1, 10**8, "Your guess")
    context: dict[str, Any] = {
        "settings": settings,
        "bytes_choices": BYTES,
        "guess": guess,
        "revealed": guess is not None or query.revealed(),
    }
    context |= state_fields(asdict(settings), context["revealed"], settings=asdict(settings))
    if query.errors:
        return context
    model = attention_cost.Model(settings.d_model, settings.layers, settings.heads, settings.bytes)
    top = max(settings.n, 2**20)
    ns = attention_cost.contexts(top)
    costs = [attention_cost.cost(model, n) for n in ns]
    crossover = attention_cost.crossover(model)
    if guess is not None:
        record_prediction(request, "attention-cost", guess, crossover)
    flops_plot, x, y = charts.line_plot(
        [
            ("Transformer, whole forward pass", ns, [c.transformer_flops for c in costs]),
            ("Transformer, QKᵀ and AV only", ns, [c.attention_flops for c in costs]),
            (f"Mamba, {model.mamba_blocks} blocks", ns, [c.mamba_flops for c in costs]),
        ],
        title="Forward-pass FLOPs against context length (log–log)",
        description="Both axes are logarithmic. Mamba's cost and the Transformer's weight "
        "multiplications grow in proportion to n (slope 1); attention's QKᵀ and AV grow as n² "
        f"(slope 2) and overtake the rest from n = 6·d_model = {crossover:,}. The table gives "
        "the values.",
        x_label="context length n (tokens)",
        y_label="FLOPs (log scale)",
        x_log=True,
        y_log=True,
    )
    chosen = attention_cost.cost(model, settings.n)
    flops_plot.dots.append(
        charts.Dots(
            f"your n = {settings.n:,}",
            [
                (round(x(settings.n), 1), round(y(chosen.transformer_flops), 1)),
                (round(x(settings.n), 1), round(y(chosen.mamba_flops), 1)),
            ],
            "#9467bd",
            4.0,
            1.0,
        )  # fmt: skip
    )
    memory_plot, mx, my = charts.line_plot(
        [
            ("Transformer KV cache", ns, [c.kv_cache_bytes for c in costs]),
            ("one layer's n × n attention scores", ns, [c.scores_bytes for c in costs]),
            ("Mamba recurrent state", ns, [c.mamba_state_bytes for c in costs]),
        ],
        title="Memory per sequence against context length (log–log)",
        description="The KV cache grows in proportion to n, the materialised score matrices as "
        "n², and Mamba's state stays the same size however long the context. The table gives "
        "the values.",
        x_label="context length n (tokens)",
        y_label="bytes (log scale)",
        x_log=True,
        y_log=True,
    )
    rows = []
    for c in sorted([*costs, chosen], key=lambda c: c.n):
        if rows and rows[-1]["n"] == c.n:
            continue
        rows.append(
            {
                "n": c.n,
                "chosen": c.n == settings.n,
                "transformer": sci(c.transformer_flops),
                "attention": sci(c.attention_flops),
                "share": f"{c.attention_flops / c.transformer_flops:.0%}",
                "mamba": sci(c.mamba_flops),
                "ratio": f"{c.transformer_flops / c.mamba_flops:,.1f}×",
                "kv": _bytes(c.kv_cache_bytes),
                "scores": _bytes(c.scores_bytes),
                "state": _bytes(c.mamba_state_bytes),
            }
        )
    context |= {
        "model": model,
        "crossover": crossover,
        "chosen": {
            "transformer": sci(chosen.transformer_flops),
            "mamba": sci(chosen.mamba_flops),
            "kv": _bytes(chosen.kv_cache_bytes),
            "state": _bytes(chosen.mamba_state_bytes),
            "scores": _bytes(chosen.scores_bytes),
        },
        "transformer_parameters": sci(model.transformer_parameters),
        "mamba_parameters": sci(model.mamba_parameters),
        "flops_plot": flops_plot,
        "memory_plot": memory_plot,
        "rows": rows,
        "guess_ratio": None if guess is None else guess / crossover,
    }
    return context


@require_GET
def attention_cost_page(request: HttpRequest) -> HttpResponse:
    """/lab/attention-cost/: the quadratic cost of attention against Mamba's linear cost."""
    query = Query(request.GET)
    settings = parse_attention(query)
    context = _attention_context(request, query, settings)
    return _page(request, "lab/generative/attention_cost.html", context, query.errors)


# Scaling laws --------------------------------------------------------------------------------

SCALING_GUESSES = {
    "10": "About 10 times bigger",
    "3": "About 3 times bigger",
    "1": "About the same size (spend it on data)",
}


@dataclass(frozen=True)
class ScalingSettings:
    compute: float = 5.76e23  # Gopher's and Chinchilla's budget (Hoffmann et al. 2022, §4)
    params: float | None = None  # the learner's own model size, to compare


def parse_scaling(query: Query) -> ScalingSettings:
    d = ScalingSettings()
    compute = query.number("compute", d.compute, 1e18, 1e28, "Compute budget (FLOPs)")
    params = None
    if query.raw("params") is not None:
        params = query.number("params", 0.0, 1e6, 1e14, "Your model size (parameters)") or None
    return ScalingSettings(compute, params)


def _scaling_context(request: HttpRequest, query: Query, settings: ScalingSettings) -> dict:
    guess = query.choice("guess", None, SCALING_GUESSES, "Your guess")
    fit = scaling.CHINCHILLA
    context: dict[str, Any] = {
        "settings": settings,
        "compute_text": f"{settings.compute:.3g}",
        "params_text": "" if settings.params is None else f"{settings.params:.3g}",
        "fit": fit,
        "guesses": SCALING_GUESSES,
        "guess": guess,
        "revealed": guess is not None or query.revealed(),
    }
    params = {"compute": f"{settings.compute:.6g}",
              "params": "" if settings.params is None else f"{settings.params:.6g}"}  # fmt: skip
    context |= state_fields(params, context["revealed"], settings=params)
    if query.errors:
        return context
    optimum = scaling.compute_optimal(fit, settings.compute)
    thumb = scaling.rule_of_thumb(fit, settings.compute)
    growth = 10**fit.a
    if guess is not None:
        record_prediction(request, "scaling", guess, f"{growth:.2f}")
    allocations = [optimum, thumb]
    if settings.params is not None:
        n = settings.params
        d = settings.compute / (6 * n)
        allocations.append(scaling.Allocation("your model size", n, d, fit.loss(n, d)))
    curve = scaling.iso_flop(fit, settings.compute)
    iso_plot, x, y = charts.line_plot(
        [(f"C = {sci(settings.compute)} FLOPs", [n for n, _ in curve], [v for _, v in curve])],
        title="IsoFLOP curve: loss against model size at a fixed compute budget",
        description="At fixed compute a bigger model sees fewer tokens: the predicted loss is "
        f"U-shaped, lowest at N = {sci(optimum.parameters)} parameters. Marked: the optimum, the "
        "20-tokens-per-parameter choice, and yours if given. The table gives the values.",
        x_label="parameters N (log scale)",
        y_label="predicted loss L(N, C/6N) (nats/token)",
        x_log=True,
    )
    for i, allocation in enumerate(allocations):
        if x.low <= allocation.parameters <= x.high:
            iso_plot.dots.append(
                charts.Dots(
                    allocation.label,
                    [(round(x(allocation.parameters), 1), round(y(allocation.loss), 1))],
                    charts.COLOURS[(i + 1) % len(charts.COLOURS)],
                    5.0,
                    1.0,
                )
            )
    frontier = scaling.frontier(fit)
    frontier_plot, fx, fy = charts.line_plot(
        [("compute-optimal loss", [c for c, _ in frontier], [loss for _, loss in frontier])],
        title="Loss against compute along the compute-optimal frontier",
        description=f"The loss falls towards E = {fit.E} as compute grows, ever more slowly. "
        "Published models are marked at their own N and D. The table gives the values.",
        x_label="training compute C = 6ND (FLOPs, log scale)",
        y_label="predicted loss (nats/token)",
        x_log=True,
    )
    references = []
    for i, (name, n, d) in enumerate(scaling.REFERENCE_MODELS):
        loss = fit.loss(n, d)
        references.append({"name": name, "parameters": sci(n), "tokens": sci(d),
                           "compute": sci(6 * n * d), "ratio": f"{d / n:.1f}",
                           "loss": f"{loss:.3f}"})  # fmt: skip
        frontier_plot.dots.append(
            charts.Dots(
                name,
                [(round(fx(6 * n * d), 1), round(fy(loss), 1))],
                charts.COLOURS[(i + 1) % len(charts.COLOURS)],
                5.0,
                1.0,
            )  # fmt: skip
        )
    context |= {
        "optimum": optimum,
        "growth": f"{growth:.2f}",
        "tokens_growth": f"{10**fit.b:.2f}",
        "allocations": [
            {
                "label": a.label,
                "parameters": sci(a.parameters),
                "tokens": sci(a.tokens),
                "ratio": f"{a.tokens_per_parameter:,.1f}",
                "loss": f"{a.loss:.4f}",
            }
            for a in allocations
        ],
        "constants": {"G": f"{fit.G:.4f}", "a": f"{fit.a:.4f}", "b": f"{fit.b:.4f}"},
        "iso_plot": iso_plot,
        "iso_rows": [
            {"parameters": sci(n), "tokens": sci(settings.compute / (6 * n)), "loss": f"{loss:.4f}"}
            for n, loss in curve[::6]
        ],
        "frontier_plot": frontier_plot,
        "frontier_rows": [
            {
                "compute": sci(c),
                "parameters": sci(fit.optimal_parameters(c)),
                "tokens": sci(fit.optimal_tokens(c)),
                "loss": f"{loss:.4f}",
            }
            for c, loss in frontier[::4]
        ],  # fmt: skip
        "references": references,
    }
    return context


@require_GET
def scaling_page(request: HttpRequest) -> HttpResponse:
    """/lab/scaling/: the Chinchilla law and the compute-optimal model for a budget."""
    query = Query(request.GET)
    settings = parse_scaling(query)
    context = _scaling_context(request, query, settings)
    return _page(request, "lab/generative/scaling.html", context, query.errors)


# Content-addressed PNGs ---------------------------------------------------------------------


def _render_strip(query: Query) -> bytes | None:
    settings = parse_diffusion(query)
    schedule = query.choice("schedule", None, diffusion.SCHEDULES, "Schedule")
    if query.errors or schedule is None:
        return None
    strip = diffusion_strip(settings, schedule)
    return None if strip is None else strip.png


def _render_density(query: Query) -> bytes | None:
    name = query.choice("mixture", None, mixture.MIXTURES, "Data set")
    schedule = query.choice("rschedule", None, diffusion.SCHEDULES, "Schedule")
    t = query.integer("t", 0, 0, diffusion.T - 1, "t")
    if query.errors or name is None or schedule is None:
        return None
    extent = REVERSE_EXTENT
    if t == 0:  # the data itself, not one noising step: the background of the sampler plot
        return mixture.density_png(mixture.MIXTURES[name], extent)
    return mixture.density_png(mixture.marginal(mixture.MIXTURES[name], schedule, t), extent, 96)


def _render_digits(query: Query) -> bytes | None:
    settings = parse_vae(query)
    which = query.choice("which", None, ("data", "recon", "walk", "prior", "latent"), "Picture")
    if query.errors or which is None:
        return None
    return vae_png(settings, which)


def _render_boundary(query: Query) -> bytes | None:
    settings = parse_mlp(query)
    return None if query.errors else mlp.boundary_png(mlp_result(settings))


def _render_layer(query: Query) -> bytes | None:
    settings = parse_mlp(query)
    layer = query.integer("layer", 0, 0, settings.layers - 1, "Layer")
    return None if query.errors else mlp.layer_png(mlp_result(settings), layer)


RENDERERS: dict[str, Callable[[Query], bytes | None]] = {
    "strip": _render_strip,
    "density": _render_density,
    "digits": _render_digits,
    "boundary": _render_boundary,
    "layer": _render_layer,
}


# Kinds whose renderer reads a cached result that already holds the PNG: not stored twice.
SELF_CACHED = {"strip"}


@require_GET
def image(request: HttpRequest, digest: str) -> HttpResponse:
    """A PNG named by the digest of its query: 404 unless the query matches the digest (so a URL
    always means the same picture) and is valid; then cached for a year by the browser."""
    params = QueryDict(request.GET.get("p", ""))
    encoded = urlencode(sorted(params.items()))
    if _digest(encoded) != digest:
        raise Http404("No such picture.")
    renderer = RENDERERS.get(params.get("kind", ""))
    if renderer is None:
        raise Http404("No such picture.")
    kind = params["kind"]
    key = f"lab:png:{digest}"
    png = None if kind in SELF_CACHED else cache.get(key)
    if png is None:
        png = renderer(Query(params))
        if png is None:
            # An expired upload or an invalid query: nothing to draw.
            raise Http404("This picture cannot be drawn (an expired upload?).")
        if kind not in SELF_CACHED:
            cache.set(key, png, IMAGE_TTL)
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = IMMUTABLE
    response["ETag"] = f'"{digest}"'
    response["Content-Length"] = str(len(png))
    return response
