"""Query counts are pinned per page and do not grow when the content doubles."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from glossary.models import Definition, Term
from learning import models as m
from quizzes.models import Choice, Question, Quiz

pytestmark = pytest.mark.django_db


def _list_pages():
    return [
        "/",
        reverse("learning:concepts"),
        reverse("learning:llm_steps"),
        reverse("learning:architectures"),
        reverse("learning:papers"),
        reverse("learning:pioneers"),
        reverse("learning:roadmap"),
        reverse("learning:learning_path"),
        reverse("learning:system_types"),
        reverse("learning:landscape"),
        reverse("learning:resources"),
        reverse("learning:prompt_engineering"),
        reverse("glossary:index"),
        reverse("quizzes:index"),
    ]


def _detail_pages():
    return [
        m.Concept.objects.get(slug="transformer-attention").get_absolute_url(),
        m.LLMStep.objects.get(slug="output-logits").get_absolute_url(),
        m.Architecture.objects.get(slug="transformer").get_absolute_url(),
        m.Paper.objects.get(slug="attention-is-all-you-need").get_absolute_url(),
        m.Pioneer.objects.get(slug="yoshua-bengio").get_absolute_url(),
        m.RoadmapStage.objects.get(slug="transformers-llms").get_absolute_url(),
        m.LearningPathStage.objects.get(slug="generative-ai-fundamentals").get_absolute_url(),
        m.SystemType.objects.get(slug="generative-ai").get_absolute_url(),
        m.ModelFamily.objects.order_by("position").first().get_absolute_url(),
        m.PromptTechnique.objects.get(slug="chain-of-thought").get_absolute_url(),
        Term.objects.get(slug="transformer").get_absolute_url(),
        Quiz.objects.get(slug="expert-quiz").get_absolute_url(),
    ]


# Expected queries per page. Lists: the section row plus one query per kind of item shown (and
# one per prefetched relation). Details: the item (with select_related), one per prefetched
# relation, and one for previous/next.
EXPECTED = {
    # sections, hero stats, pipeline (+ llm step), concepts
    "/": 4,
    # section, concepts
    "/concepts/": 2,
    # section, steps
    "/how-llms-work/": 2,
    # section, architectures (+ paper)
    "/architectures/": 2,
    # section, papers, authors (+ pioneer)
    "/papers/": 3,
    # section, pioneers
    "/pioneers/": 2,
    # section, stages, items, resources
    "/roadmap/": 4,
    # two sections, stages, system types
    "/learning-path/": 4,
    # section, system types
    "/system-types/": 2,
    # section, families
    "/landscape/": 2,
    # section, count, page of resources
    "/resources/": 3,
    # section, examples, techniques (+ paper)
    "/prompt-engineering/": 3,
    # categories, section, terms (+ category), definitions
    "/glossary/": 4,
    # section, quizzes with their question counts
    "/quizzes/": 2,
    # concept (+ stage), papers, architectures, terms, steps, questions (+ quiz), neighbours
    "/concepts/transformer-attention/": 7,
    # step (+ concept), neighbours
    "/how-llms-work/output-logits/": 2,
    # architecture (+ paper), concepts, terms, families, neighbours
    "/architectures/transformer/": 5,
    # paper, authors, concepts, architectures, terms, stages, questions, neighbours
    "/papers/attention-is-all-you-need/": 8,
    # pioneer, authorships (+ paper), neighbours
    "/pioneers/yoshua-bengio/": 3,
    # stage, items, resources, papers, concepts, terms, quizzes, neighbours
    "/roadmap/transformers-llms/": 8,
    # stage, papers, concepts, system types, neighbours
    "/learning-path/generative-ai-fundamentals/": 5,
    # type (+ stage), neighbours
    "/system-types/generative-ai/": 2,
    # technique (+ paper), neighbours
    "/prompt-engineering/chain-of-thought/": 2,
    # term (+ category), definitions (+ paper), related, concepts, papers, stages,
    # architectures, questions (+ their quizzes), neighbours
    "/glossary/transformer/": 9,
    # quiz (+ concept, architecture, stage), questions (no session: no attempts to look up)
    "/quizzes/expert-quiz/": 2,
}


def _count(client, url: str) -> int:
    cache.clear()  # what rendering costs, not what the page cache saves
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


# An anonymous visitor's page is looked up in the page cache first: one query reads the content
# version (genai_site/page_cache.py). Rendering adds the EXPECTED queries; a cached copy none.
CONTENT_VERSION = 1


def test_query_counts_are_pinned(client, django_assert_num_queries):
    pages = _list_pages() + _detail_pages()
    for url in pages:
        expected = EXPECTED.get(url)
        if expected is None:  # the first model family's slug is content-dependent
            expected = 2  # family (+ architecture), neighbours
        with django_assert_num_queries(CONTENT_VERSION + expected):
            response = client.get(url)
        assert response.status_code == 200
        with django_assert_num_queries(CONTENT_VERSION):
            assert client.get(url)["X-Page-Cache"] == "hit", url


def _double_content() -> None:
    """Adds a copy of every item (with its children and links), as if instructors doubled it."""
    for model in [
        m.Concept,
        m.LLMStep,
        m.Architecture,
        m.Pioneer,
        m.ModelFamily,
        m.PromptTechnique,
        m.SystemType,
        m.Resource,
        m.PromptExample,
        m.HeroStat,
        m.PipelineStage,
    ]:
        for obj in list(model.objects.all()):
            links = {f.name: list(getattr(obj, f.name).all()) for f in model._meta.many_to_many}
            obj.pk = None
            obj.slug = f"{obj.slug}-copy"
            if hasattr(obj, "number"):
                obj.number += 100
            obj.save()
            for name, targets in links.items():
                getattr(obj, name).set(targets)
    for paper in list(m.Paper.objects.prefetch_related("authors")):
        authors = list(paper.authors.all())
        paper.pk, paper.slug = None, f"{paper.slug}-copy"
        paper.save()
        m.PaperAuthor.objects.bulk_create(
            [
                m.PaperAuthor(paper=paper, position=a.position, name=a.name, pioneer=a.pioneer)
                for a in authors
            ]
        )
    for stage in list(m.RoadmapStage.objects.prefetch_related("items")):
        items = list(stage.items.all())
        stage.pk, stage.slug, stage.number = None, f"{stage.slug}-copy", stage.number + 100
        stage.save()
        m.RoadmapItem.objects.bulk_create(
            [m.RoadmapItem(stage=stage, position=i.position, title=i.title) for i in items]
        )
    for stage in list(m.LearningPathStage.objects.all()):
        stage.pk, stage.slug, stage.number = None, f"{stage.slug}-copy", stage.number + 100
        stage.save()
    for term in list(Term.objects.prefetch_related("definitions")):
        definitions = list(term.definitions.all())
        term.pk, term.slug, term.name = None, f"{term.slug}-copy", f"{term.name} (copy)"
        term.save()
        Definition.objects.bulk_create(
            [
                Definition(
                    term=term, position=d.position, kind=d.kind, text=d.text, source=d.source
                )
                for d in definitions
            ]
        )
    for quiz in list(Quiz.objects.prefetch_related("questions__choices")):
        questions = list(quiz.questions.all())
        quiz.pk, quiz.slug = None, f"{quiz.slug}-copy"
        quiz.save()
        for q in questions:
            choices = list(q.choices.all())
            q.pk, q.quiz = None, quiz
            q.save()
            Choice.objects.bulk_create(
                [
                    Choice(
                        question=q,
                        position=c.position,
                        text=c.text,
                        is_correct=c.is_correct,
                        reason=c.reason,
                    )
                    for c in choices
                ]
            )
    # Link the originals to more items too, so detail pages show twice the relations.
    concept = m.Concept.objects.get(slug="transformer-attention")
    concept.papers.add(*m.Paper.objects.filter(slug__endswith="-copy"))
    Term.objects.get(slug="transformer").related.add(*Term.objects.filter(slug__endswith="-copy"))
    Question.objects.filter(quiz__slug="expert-quiz").first().terms.add(*Term.objects.all()[:5])


def test_query_counts_do_not_grow_with_content(client):
    pages = _list_pages() + _detail_pages()
    before = {url: _count(client, url) for url in pages}
    papers_before = m.Paper.objects.count()
    _double_content()
    assert m.Paper.objects.count() == 2 * papers_before
    after = {url: _count(client, url) for url in pages}
    assert after == before
