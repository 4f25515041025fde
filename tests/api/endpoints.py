"""Every content endpoint under /api/v1/, with a valid body to create an item."""

from __future__ import annotations

# prefix -> a body an instructor may POST (slugs of related items are real content slugs)
CREATE_BODIES: dict[str, dict] = {
    "sections": {"slug": "api-made", "title": "Made by the API"},
    "hero-stats": {"slug": "api-made", "value": "42", "label": "answers"},
    "pipeline-stages": {
        "slug": "api-made",
        "title": "Decode",
        "subtitle": "Pick a token",
        "llm_step": "output-logits",
    },
    "concepts": {
        "slug": "api-made",
        "title": "Made by the API",
        "summary": "A concept.",
        "visual_kind": "compare",
        "visual": {"left": {"title": "A"}},
        "tags": ["one", "two"],
        "roadmap_stage": "transformers-llms",
        "papers": ["attention-is-all-you-need"],
        "architectures": ["transformer"],
    },
    "llm-steps": {"slug": "api-made", "number": 99, "title": "Step", "body": "Body."},
    "architectures": {
        "slug": "api-made",
        "title": "Made by the API",
        "citation": "Doe et al., 2024",
        "blocks": ["In", "Out"],
        "summary": "An architecture.",
        "paper": "attention-is-all-you-need",
    },
    "papers": {"slug": "api-made", "title": "A Paper", "year": 2024, "summary": "It says."},
    "pioneers": {
        "slug": "api-made",
        "name": "Ada Lovelace",
        "affiliations": "Analytical Engine",
        "summary": "First programmer.",
    },
    "roadmap-stages": {
        "slug": "api-made",
        "number": 99,
        "title": "Stage",
        "duration": "1 week",
        "summary": "A stage.",
        "papers": ["attention-is-all-you-need"],
    },
    "learning-path-stages": {
        "slug": "api-made",
        "number": 99,
        "label": "Extra",
        "title": "Stage",
        "summary": "A stage.",
        "concepts": ["transformer-attention"],
    },
    "system-types": {"slug": "api-made", "title": "Type", "summary": "A type."},
    "model-families": {
        "slug": "api-made",
        "name": "Family",
        "organisation": "Lab",
        "first_release": "2024-01-31",
        "modality": "text",
        "open_weights": True,
        "external_url": "https://example.org/family",
        "summary": "A family.",
        "architecture": "transformer",
    },
    "resources": {
        "slug": "api-made",
        "title": "A Book",
        "kind": "book",
        "level": "beginner",
        "external_url": "https://example.org/book",
        "summary": "Read it.",
    },
    "prompt-examples": {
        "slug": "api-made",
        "level": "weak",
        "prompt": "Write.",
        "output": "Words.",
        "checks": [{"verdict": "bad", "text": "No audience"}],
    },
    "prompt-techniques": {"slug": "api-made", "title": "Technique", "summary": "Do it."},
    "glossary/terms": {
        "slug": "api-made",
        "name": "Made Term",
        "aliases": ["MT"],
        "category": "foundations",
        "related": ["token"],
    },
    "glossary/categories": {"slug": "api-made", "name": "Made"},
}

PREFIXES = list(CREATE_BODIES)


def list_url(prefix: str) -> str:
    return f"/api/v1/{prefix}/"


def detail_url(prefix: str, slug: str) -> str:
    return f"/api/v1/{prefix}/{slug}/"
