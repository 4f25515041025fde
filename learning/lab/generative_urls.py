"""Lab, part 2: generative models you can watch. Views in generative.py."""

from django.urls import path

from . import generative

urlpatterns = [
    path("diffusion/", generative.diffusion_page, name="diffusion"),
    path("vae/", generative.vae, name="vae"),
    path("gan/", generative.gan_page, name="gan"),
    path("networks/", generative.networks, name="networks"),
    path("attention-cost/", generative.attention_cost_page, name="attention_cost"),
    path("scaling/", generative.scaling_page, name="scaling"),
    path("img/<str:digest>.png", generative.image, name="image"),
]

LAB_PAGES = [
    (
        "diffusion",
        "Diffusion",
        "Noise an image step by step under the linear and cosine schedules, then watch exact "
        "reverse sampling turn noise back into data.",
    ),
    (
        "vae",
        "VAE (probabilistic PCA)",
        "A latent space for handwritten digits: reconstructions, a walk from one digit to "
        "another, and samples from the prior.",
    ),
    (
        "gan",
        "GAN",
        "A generator and a discriminator trained against each other on eight Gaussians, and "
        "the setting that makes the generator collapse.",
    ),
    (
        "networks",
        "Neural network layers",
        "Train a small network on spirals or moons and see its decision boundary and what "
        "each hidden unit computes.",
    ),
    (
        "attention_cost",
        "Attention vs state-space cost",
        "FLOPs and memory as the context grows: attention's quadratic term against Mamba's "
        "linear cost.",
    ),
    (
        "scaling",
        "Scaling laws",
        "The Chinchilla fit: the compute-optimal model and data size for a budget you pick.",
    ),
]
