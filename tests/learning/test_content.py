"""The content fixture holds every item of the brief (and our additions), corrected."""

import pytest

from glossary.models import Definition, Term
from learning import models as m
from learning.visuals import temperature, tokens
from quizzes.models import Choice, Question, Quiz

pytestmark = pytest.mark.django_db


def test_counts_per_kind_match_the_brief():
    assert m.HeroStat.objects.count() == 4
    assert m.PipelineStage.objects.count() == 5
    assert m.Concept.objects.count() == 6
    assert m.PromptExample.objects.count() == 3
    assert m.PromptTechnique.objects.count() == 8
    assert m.LLMStep.objects.count() == 5
    assert m.Architecture.objects.count() == 5
    assert m.RoadmapStage.objects.count() == 7
    assert m.RoadmapItem.objects.count() == 26
    assert m.LearningPathStage.objects.count() == 4
    assert m.SystemType.objects.count() == 3
    assert m.Paper.objects.filter(is_landmark=True).count() == 7
    assert m.Pioneer.objects.count() == 6
    # The brief's two quizzes (8 questions each), plus one per core concept and architecture.
    assert Question.objects.filter(quiz__slug__in=["practice-quiz", "expert-quiz"]).count() == 16
    assert Quiz.objects.exclude(concept=None).count() == 6
    assert Quiz.objects.exclude(architecture=None).count() == 5
    assert Quiz.objects.count() == 13
    # Cheat sheet (20) + research (18, "Token & Embedding" on two terms) + key terms (20) from the
    # brief, and one plain-language definition per term.
    assert Definition.objects.exclude(kind="plain").count() == 59
    assert Definition.objects.filter(kind="plain").count() == 45
    assert Term.objects.count() == 45


def test_additions_fill_the_empty_sections():
    assert m.ModelFamily.objects.count() >= 12
    assert set(m.ModelFamily.objects.values_list("modality", flat=True)) >= {
        "text",
        "image",
        "audio",
        "video",
        "code",
    }
    assert m.ModelFamily.objects.filter(open_weights=True).exists()
    assert m.ModelFamily.objects.filter(open_weights=False).exists()
    assert m.Resource.objects.count() >= 20
    assert set(m.Resource.objects.values_list("kind", flat=True)) >= {
        "paper",
        "course",
        "book",
        "tool",
        "explainer",
    }


def test_every_question_has_four_choices_and_one_right_answer():
    for question in Question.objects.prefetch_related("choices"):
        choices = list(question.choices.all())
        assert len(choices) == 4, question
        assert sum(c.is_correct for c in choices) == 1, question
        assert all(c.reason.strip() for c in choices), question
        assert question.explanation and question.source


def test_right_answer_is_not_always_in_the_same_place():
    positions = set(Choice.objects.filter(is_correct=True).values_list("position", flat=True))
    assert len(positions) >= 3


def test_a_term_in_several_lists_is_one_term_with_several_definitions():
    hallucination = Term.objects.get(slug="hallucination")
    kinds = set(hallucination.definitions.values_list("kind", flat=True))
    assert kinds == {"plain", "cheat_sheet", "research", "key_term"}
    assert Term.objects.filter(name__icontains="transformer").count() == 1


def test_every_definition_has_a_source():
    assert not Definition.objects.filter(source="").exists()


def test_cross_links_exist():
    attention = m.Concept.objects.get(slug="transformer-attention")
    assert attention.papers.filter(slug="attention-is-all-you-need").exists()
    assert attention.architectures.filter(slug="transformer").exists()
    assert attention.roadmap_stage.slug == "transformers-llms"
    assert Question.objects.exclude(concept=None).exists()
    assert Term.objects.exclude(concepts=None).exists()
    assert m.RoadmapStage.objects.get(number=4).papers.exists()


def test_tokenizer_examples_are_the_real_token_ids():
    step = m.LLMStep.objects.get(slug="tokenization")
    for text, expected in step.visual["expected_ids"].items():
        assert [t.id for t in tokens.encode(text)] == expected
    assert tokens.vocabulary_size("cl100k_base") == 100_277
    # "tokenization" is two tokens, not the three the brief claimed.
    assert len(tokens.encode("tokenization")) == 2


def test_temperature_never_reorders_tokens():
    step = m.LLMStep.objects.get(slug="output-logits")
    table = temperature.table(step.visual)
    for column in range(len(table["temperatures"])):
        shares = [row.probabilities[column] for row in table["rows"]]
        assert shares == sorted(shares, reverse=True)
        assert sum(shares) == pytest.approx(1.0)
    hot = table["temperatures"].index(2.0)
    assert table["rows"][0].token == "Paris"
    assert table["rows"][0].probabilities[hot] == pytest.approx(0.4903, abs=1e-4)


def test_corrected_facts_are_in_the_content():
    lecun = m.Pioneer.objects.get(slug="yann-lecun")
    assert "Nobel" not in lecun.honours and "Turing" in lecun.honours
    assert "Nobel" not in m.Pioneer.objects.get(slug="yoshua-bengio").honours
    assert "Inceptive" not in m.Pioneer.objects.get(slug="ashish-vaswani").affiliations
    assert (
        m.Paper.objects.get(slug="generative-adversarial-nets").title
        == "Generative Adversarial Nets"
    )
    assert "300" in m.Paper.objects.get(slug="gpt-3").summary
    context = Term.objects.get(slug="context-window").definitions.get(kind="cheat_sheet")
    assert "exponentially higher" not in context.text.lower()
    assert "quadratic" in context.text.lower()
