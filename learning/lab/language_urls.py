from django.urls import path

from . import language

urlpatterns = [
    path("tokenizer/", language.tokenizer, name="tokenizer"),
    path("sampling/", language.sampling_page, name="sampling"),
    path("attention/", language.attention, name="attention"),
    path("embeddings/", language.embeddings_page, name="embeddings"),
]

# (url name, title, blurb) for the lab's index page.
LAB_PAGES = [
    (
        "tokenizer",
        "Tokenizer",
        "Type anything and see the real GPT tokens and IDs (cl100k_base and o200k_base), and "
        "the token tax: what the same sentence costs in eleven languages.",
    ),
    (
        "sampling",
        "Temperature, top-k and top-p",
        "A real next-word distribution from a trigram model trained on this site's text: "
        "change the temperature, cut with top-k and top-p, and draw seeded samples.",
    ),
    (
        "attention",
        "Attention",
        "The real attention weights of all-MiniLM-L6-v2 (6 layers × 12 heads) for your "
        "sentence, as a heatmap and per token.",
    ),
    (
        "embeddings",
        "Embeddings",
        "Sentence embeddings from the same model: how similar your sentences are, and where "
        "they land on a map of the glossary.",
    ),
]
