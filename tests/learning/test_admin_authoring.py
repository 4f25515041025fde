"""The admin as the instructors' authoring tool: who gets in, every content page, drafts and
publishing, validation messages (nothing saved), question history, and constant query counts.

Instructors are made as `manage.py create_instructor` makes them: staff, in the Instructors group
(tests/accounts/test_instructors.py tests the command itself)."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.db import models
from django.utils import timezone
from rest_framework.test import APIClient

from glossary.models import Category, Definition, Term
from learning.models import (
    Architecture,
    Concept,
    HeroStat,
    LearningPathStage,
    LLMStep,
    ModelFamily,
    Paper,
    Pioneer,
    PipelineStage,
    PromptExample,
    PromptTechnique,
    Resource,
    RoadmapStage,
    Section,
    SystemType,
)
from quizzes import services
from quizzes.models import Choice, Question, Quiz
from tests.quizzes.factories import make_quiz, right_choice

pytestmark = pytest.mark.django_db

# Every model an instructor edits in the admin (the rest are inlines of these).
CONTENT_MODELS: list[type[models.Model]] = [
    Section,
    HeroStat,
    PipelineStage,
    RoadmapStage,
    Concept,
    LLMStep,
    Pioneer,
    Paper,
    Architecture,
    LearningPathStage,
    SystemType,
    ModelFamily,
    Resource,
    PromptExample,
    PromptTechnique,
    Category,
    Term,
    Quiz,
    Question,
]


def _admin_url(model: type[models.Model], view: str = "", pk: int | None = None) -> str:
    opts = model._meta
    base = f"/admin/{opts.app_label}/{opts.model_name}/"
    return f"{base}{pk}/{view}/" if pk is not None else f"{base}{view}/" if view else base


def _manager(model: type[models.Model]) -> models.Manager:
    return getattr(model, "all_objects", model._default_manager)


@pytest.fixture
def instructor(django_user_model):
    user = django_user_model.objects.create_user(
        "teacher", password="A-Strong-Instructor-Pass-1", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Instructors"))
    return user


@pytest.fixture
def as_instructor(client, instructor):
    client.force_login(instructor)
    return client


class _FormReader(HTMLParser):
    """The values a browser would submit from a page's forms (fields of the admin's empty inline
    templates, `__prefix__`, left out)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: tuple[str, bool] | None = None
        self._options: list[tuple[str, bool]] = []

    def _add(self, name: str, value: str) -> None:
        if "__prefix__" not in name:
            self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(name, a.get("value") or "on")
                return
            self._add(name, a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")
        elif tag == "select" and name:
            self._select, self._options = (name, "multiple" in a), []
        elif tag == "option" and self._select:
            self._options.append((a.get("value") or "", "selected" in a))

    def handle_data(self, data):
        if self._textarea and self._textarea in self.data:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            name, multiple = self._select
            chosen = [value for value, selected in self._options if selected]
            if not chosen and not multiple and self._options:
                chosen = [self._options[0][0]]
            for value in chosen:
                self._add(name, value)
            self._select = None


def form_data(html: str, **changes) -> dict[str, list[str]]:
    reader = _FormReader()
    reader.feed(html)
    data = reader.data
    data.pop("_addanother", None)
    for name, value in changes.items():
        data[name] = value if isinstance(value, list) else [str(value)]
    return data


# --- who gets in --------------------------------------------------------------------------


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda m: m.__name__)
def test_an_instructor_opens_every_content_list_and_form(as_instructor, model):
    obj = _manager(model).order_by("pk").first()
    assert as_instructor.get(_admin_url(model)).status_code == 200
    assert as_instructor.get(_admin_url(model, "add")).status_code == 200
    change = as_instructor.get(_admin_url(model, "change", obj.pk))
    assert change.status_code == 200
    if hasattr(model, "get_absolute_url"):  # the page the item is shown on, one click away
        assert "View on site" in change.content.decode()


@pytest.mark.parametrize(
    ("url", "instructor_status"),
    [
        ("/admin/", 200),
        ("/admin/learning/concept/", 200),
        ("/admin/quizzes/question/", 200),
        ("/admin/accounts/user/", 403),
        ("/admin/auth/group/", 403),
    ],
)
def test_who_gets_into_the_admin(client, django_user_model, instructor, url, instructor_status):
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]

    client.force_login(django_user_model.objects.create_user("learner", password="x" * 12))
    learner = client.get(url)
    assert learner.status_code == 302 and "/admin/login/" in learner["Location"]

    client.force_login(instructor)
    assert client.get(url).status_code == instructor_status


# --- drafts -------------------------------------------------------------------------------


def _draft_concept(**fields) -> Concept:
    return Concept.all_objects.create(
        slug="draft-concept",
        title="A draft concept",
        summary="Not yet.",
        visual_kind=Concept.Visual.STEPS,
        is_published=False,
        **fields,
    )


def test_drafts_are_listed_filtered_and_editable(as_instructor):
    draft = _draft_concept()
    html = as_instructor.get("/admin/learning/concept/").content.decode()
    assert "A draft concept" in html and '<td class="field-status">Draft</td>' in html
    assert '<td class="field-status">Published</td>' in html

    drafts_only = as_instructor.get("/admin/learning/concept/?is_published__exact=0")
    assert "A draft concept" in drafts_only.content.decode()
    assert drafts_only.context["cl"].result_count == 1

    assert as_instructor.get(_admin_url(Concept, "change", draft.pk)).status_code == 200


def test_publish_and_draft_actions(as_instructor, instructor):
    draft = _draft_concept()
    published = Concept.objects.order_by("pk").first()
    url = "/admin/learning/concept/"

    response = as_instructor.post(
        url,
        {"action": "publish_selected", "_selected_action": [draft.pk, published.pk]},
        follow=True,
    )
    # Only the draft changed: the message counts what was done.
    assert "Published 1 concept." in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_published

    response = as_instructor.post(
        url,
        {"action": "make_selected_drafts", "_selected_action": [draft.pk, published.pk]},
        follow=True,
    )
    assert "Made 2 concepts drafts" in response.content.decode()
    assert (
        Concept.all_objects.filter(pk__in=[draft.pk, published.pk], is_published=False).count() == 2
    )
    assert not Concept.objects.filter(pk__in=[draft.pk, published.pk]).exists()
    # Each change is in the item's history.
    history = LogEntry.objects.filter(user=instructor, action_flag=CHANGE, object_id=draft.pk)
    assert history.count() == 2


def _linked_slugs() -> set[str]:
    return {
        link[2]
        for concept in Concept.all_objects.all()
        for links in concept.autolinks.values()
        for link in links
    }


def test_making_a_term_a_draft_removes_its_glossary_links(as_instructor):
    slug = sorted(_linked_slugs())[0]
    term = Term.objects.get(slug=slug)
    as_instructor.post(
        "/admin/glossary/term/", {"action": "make_selected_drafts", "_selected_action": [term.pk]}
    )
    assert slug not in _linked_slugs()  # learners are not sent to a draft
    as_instructor.post(
        "/admin/glossary/term/", {"action": "publish_selected", "_selected_action": [term.pk]}
    )
    assert slug in _linked_slugs()


def test_relation_fields_offer_drafts(as_instructor):
    draft_paper = Paper.all_objects.create(
        slug="draft-paper", title="A draft paper", year=2024, summary="Soon.", is_published=False
    )
    # The autocomplete behind the architecture's paper field.
    response = as_instructor.get(
        "/admin/autocomplete/",
        {
            "app_label": "learning",
            "model_name": "architecture",
            "field_name": "paper",
            "term": "draft paper",
        },
    )
    assert [r["id"] for r in response.json()["results"]] == [str(draft_paper.pk)]

    # A draft concept linked to a draft paper: saved, shown again, and removable.
    concept = _draft_concept()
    change = _admin_url(Concept, "change", concept.pk)
    data = form_data(as_instructor.get(change).content.decode(), papers=[str(draft_paper.pk)])
    assert as_instructor.post(change, data).status_code == 302
    assert list(concept.papers(manager="all_objects").all()) == [draft_paper]
    form = as_instructor.get(change).context["adminform"].form
    assert list(form.initial["papers"]) == [draft_paper]

    data = form_data(as_instructor.get(change).content.decode(), papers=[])
    assert as_instructor.post(change, data).status_code == 302
    assert not concept.papers(manager="all_objects").exists()


def test_a_term_keeps_its_link_to_a_draft_term_both_ways(as_instructor):
    term = Term.objects.order_by("pk").first()
    draft = Term.all_objects.create(
        slug="draft-term", name="Draft term", category=term.category, is_published=False
    )
    change = _admin_url(Term, "change", term.pk)
    chosen = [str(pk) for pk in term.related.values_list("pk", flat=True)] + [str(draft.pk)]
    data = form_data(as_instructor.get(change).content.decode(), related=chosen)
    assert as_instructor.post(change, data).status_code == 302
    assert draft in term.related(manager="all_objects").all()
    assert term in draft.related(manager="all_objects").all()  # related is symmetrical

    # Saved again untouched, the form keeps the draft link (it starts from every link).
    data = form_data(as_instructor.get(change).content.decode())
    assert str(draft.pk) in data["related"]
    assert as_instructor.post(change, data).status_code == 302
    assert draft in term.related(manager="all_objects").all()


# --- validation: a clear message, and nothing saved ----------------------------------------


def _question_data(as_instructor, quiz: Quiz, choices: list[tuple[str, bool]]) -> dict:
    html = as_instructor.get(f"/admin/quizzes/question/add/?quiz={quiz.pk}").content.decode()
    data = form_data(
        html,
        quiz=quiz.pk,
        position=99,
        prompt="Which one is right?",
        explanation="Because.",
        source="A test",
    )
    # The form starts with four empty choices; the first ones are filled in.
    for index, (text, right) in enumerate(choices):
        data[f"choices-{index}-position"] = [str(index + 1)]
        data[f"choices-{index}-text"] = [text]
        data[f"choices-{index}-reason"] = [f"Why {text}."]
        if right:
            data[f"choices-{index}-is_correct"] = ["on"]
    return data


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ([("Only", True)], "A question needs at least 2 choices."),
        ([], "A question needs at least 2 choices."),
        ([("A", False), ("B", False)], "Mark exactly one choice as right (0 marked)."),
        ([("A", True), ("B", True), ("C", False)], "Mark exactly one choice as right (2 marked)."),
    ],
    ids=["one-choice", "no-choices", "none-right", "two-right"],
)
def test_a_question_needs_two_choices_and_exactly_one_right(as_instructor, choices, message):
    quiz = make_quiz(questions=1)
    before = (Question.objects.count(), Choice.objects.count())
    response = as_instructor.post(
        "/admin/quizzes/question/add/", _question_data(as_instructor, quiz, choices)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (Question.objects.count(), Choice.objects.count()) == before


def test_a_good_question_is_saved_with_its_choices(as_instructor):
    quiz = make_quiz(questions=1)
    data = _question_data(as_instructor, quiz, [("A", False), ("B", True), ("C", False)])
    assert as_instructor.post("/admin/quizzes/question/add/", data).status_code == 302
    question = quiz.questions.get(position=99)
    assert [c.is_correct for c in question.choices.order_by("position")] == [False, True, False]


def test_deleting_choices_below_two_is_refused(as_instructor):
    question = make_quiz(questions=1, choices=3).questions.get()
    change = _admin_url(Question, "change", question.pk)
    data = form_data(as_instructor.get(change).content.decode())
    wrong = [i for i in range(3) if f"choices-{i}-is_correct" not in data]
    for index in wrong:
        data[f"choices-{index}-DELETE"] = ["on"]
    response = as_instructor.post(change, data)
    assert "A question needs at least 2 choices." in response.content.decode()
    assert question.choices.count() == 3


def _paper_form(as_instructor, **changes) -> dict:
    html = as_instructor.get("/admin/learning/paper/add/").content.decode()
    fields = {"title": "A new paper", "slug": "a-new-paper", "year": 2020, "summary": "New."}
    return form_data(html, **{**fields, **changes})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"url": "not a web address"}, "Enter a valid URL."),
        (
            {"url": "ftp://example.org/paper.pdf"},
            "Enter a web address that starts with http:// or https://.",
        ),
        ({"year": 1850}, "Enter a year between 1900 and {next_year}."),
        ({"year": "{next_year_plus_one}"}, "Enter a year between 1900 and {next_year}."),
    ],
    ids=["not-a-url", "ftp-url", "year-too-early", "year-too-late"],
)
def test_paper_links_and_years_are_checked(as_instructor, changes, message):
    next_year = timezone.now().year + 1
    changes = {k: str(v).format(next_year_plus_one=next_year + 1) for k, v in changes.items()}
    response = as_instructor.post(
        "/admin/learning/paper/add/", _paper_form(as_instructor, **changes)
    )
    assert response.status_code == 200
    assert message.format(next_year=next_year) in response.content.decode()
    assert not Paper.all_objects.filter(slug="a-new-paper").exists()


def test_a_good_paper_is_saved(as_instructor):
    data = _paper_form(as_instructor, url="https://example.org/paper", year=timezone.now().year)
    assert as_instructor.post("/admin/learning/paper/add/", data).status_code == 302
    assert Paper.objects.filter(slug="a-new-paper").exists()


@pytest.mark.parametrize("published", [True, False], ids=["published", "draft"])
def test_a_slug_is_unique_drafts_included(as_instructor, published):
    Paper.all_objects.create(
        slug="taken", title="Taken", year=2020, summary="s", is_published=published
    )
    response = as_instructor.post(
        "/admin/learning/paper/add/", _paper_form(as_instructor, slug="taken")
    )
    assert response.status_code == 200
    assert "Paper with this Slug already exists." in response.content.decode()
    assert Paper.all_objects.filter(slug="taken").count() == 1


def test_a_model_family_release_date_is_plausible(as_instructor):
    html = as_instructor.get("/admin/learning/modelfamily/add/").content.decode()
    data = form_data(
        html,
        name="Old family",
        slug="old-family",
        organisation="Nobody",
        first_release="1850-01-01",
        modality="text",
        url="https://example.org/",
        summary="s",
    )
    response = as_instructor.post("/admin/learning/modelfamily/add/", data)
    assert f"Enter a date between 1900 and {timezone.now().year + 1}." in response.content.decode()
    assert not ModelFamily.all_objects.filter(slug="old-family").exists()


def test_a_definition_source_link_is_a_web_address(as_instructor):
    term = Term.objects.order_by("pk").first()
    change = _admin_url(Term, "change", term.pk)
    data = form_data(
        as_instructor.get(change).content.decode(), **{"definitions-0-source_url": "ftp://x.org/"}
    )
    response = as_instructor.post(change, data)
    assert "Enter a web address that starts with http:// or https://." in response.content.decode()
    assert not Definition.objects.filter(source_url="ftp://x.org/").exists()


# --- question history ---------------------------------------------------------------------


def test_question_versions_are_shown_read_only(as_instructor):
    quiz = make_quiz(questions=1)
    question = quiz.questions.get()
    attempt = services.attempt_start(quiz=quiz, session_key="s")
    services.answer_record(
        attempt=attempt, question_id=question.pk, choice_id=right_choice(question).pk
    )
    response = as_instructor.get(_admin_url(Question, "change", question.pk))
    html = response.content.decode()
    assert "versions (as answered by learners)" in html.lower()
    assert f"{right_choice(question).text} ✓ right" in html
    versions = next(
        f for f in response.context["inline_admin_formsets"] if "version" in f.opts.verbose_name
    )
    assert not versions.has_change_permission and not versions.has_add_permission


def test_a_draft_quiz_keeps_its_statistics(as_instructor):
    quiz = make_quiz()
    Quiz.all_objects.filter(pk=quiz.pk).update(is_published=False)
    assert as_instructor.get(f"/admin/quizzes/quiz/{quiz.pk}/statistics/").status_code == 200


def test_questions_are_added_from_the_question_form(as_instructor):
    quiz = make_quiz(questions=1)
    response = as_instructor.get(_admin_url(Quiz, "change", quiz.pk))
    assert f"/admin/quizzes/question/add/?quiz={quiz.pk}" in response.content.decode()
    # The quiz's question list reorders and retitles, but adds no question without choices.
    (questions,) = response.context["inline_admin_formsets"]
    assert not questions.has_add_permission and questions.has_change_permission


# --- query counts: a changelist costs the same however many rows it shows --------------------


def _bulk(model: type[models.Model], count: int) -> None:
    """`count` new rows, half of them drafts, each with the relation its list shows."""
    stage = RoadmapStage.all_objects.first()
    concept = Concept.all_objects.first()
    paper = Paper.all_objects.first()
    build = {
        Section: lambda i: {"title": f"Section {i}"},
        HeroStat: lambda i: {"value": str(i), "label": f"Stat {i}"},
        PipelineStage: lambda i: {
            "title": f"Stage {i}",
            "subtitle": "s",
            "llm_step": LLMStep.all_objects.first(),
        },
        RoadmapStage: lambda i: {
            "number": 1000 + i,
            "title": f"Stage {i}",
            "duration": "A week",
            "summary": "s",
        },
        Concept: lambda i: {
            "title": f"Concept {i}",
            "summary": "s",
            "visual_kind": "steps",
            "roadmap_stage": stage,
        },
        LLMStep: lambda i: {
            "number": 1000 + i,
            "title": f"Step {i}",
            "body": "b",
            "concept": concept,
        },
        Pioneer: lambda i: {"name": f"Pioneer {i}", "affiliations": "a", "summary": "s"},
        Paper: lambda i: {"title": f"Paper {i}", "year": 2000 + i % 25, "summary": "s"},
        Architecture: lambda i: {
            "title": f"Architecture {i}",
            "citation": "c",
            "summary": "s",
            "blocks": [],
            "paper": paper,
        },
        LearningPathStage: lambda i: {
            "number": 1000 + i,
            "label": "l",
            "title": f"Stage {i}",
            "summary": "s",
        },
        SystemType: lambda i: {
            "title": f"Type {i}",
            "summary": "s",
            "learning_path_stage": LearningPathStage.all_objects.first(),
        },
        ModelFamily: lambda i: {
            "name": f"Family {i}",
            "organisation": f"Org {i % 7}",
            "first_release": datetime.date(2000 + i % 25, 1, 1),
            "modality": "text",
            "open_weights": True,
            "url": "https://example.org/",
            "summary": "s",
            "architecture": Architecture.all_objects.first(),
        },
        Resource: lambda i: {
            "title": f"Resource {i}",
            "kind": "book",
            "level": "beginner",
            "url": "https://example.org/",
            "summary": "s",
        },
        PromptExample: lambda i: {"level": "weak", "prompt": f"Prompt {i}", "output": "o"},
        PromptTechnique: lambda i: {"title": f"Technique {i}", "summary": "s", "paper": paper},
        Category: lambda i: {"name": f"Category {i}"},
        Term: lambda i: {"name": f"Term {i}", "category": Category.objects.first()},
        Quiz: lambda i: {"title": f"Quiz {i}", "concept": concept, "roadmap_stage": stage},
        Question: lambda i: {
            "quiz": Quiz.all_objects.first(),
            "position": 1000 + i,
            "prompt": f"Question {i}?",
            "explanation": "e",
            "source": "s",
        },
    }[model]
    field_names = {f.name for f in model._meta.fields}
    rows = []
    for i in range(count):
        fields = build(i)
        if "slug" in field_names:
            fields["slug"] = f"bulk-{model._meta.model_name}-{i}"
        if "is_published" in field_names:
            fields["is_published"] = i % 2 == 0
        if "position" in field_names and model is not Question:
            fields["position"] = 1000 + i
        rows.append(model(**fields))
    model.objects.bulk_create(rows)


# Queries of every instructor's changelist: 1 the session, 2 the user, 3-4 their permissions
# (own, then their groups'), 5 the filtered row count, 6 the total count (the admin shows "n of
# total"), 7 the page of rows (with its select_related joins). Models add what their list needs,
# per page, never per row.
BASE = 7
EXTRA_QUERIES = {
    Paper: 3,  # the authors of the page's papers; the year and category filters' values
    ModelFamily: 3,  # the organisation filter's values; the date hierarchy's range and years
    PipelineStage: 1,  # the LLM-step filter's choices
    Concept: 1,  # the roadmap-stage filter's choices
    SystemType: 1,  # the learning-path-stage filter's choices
    Term: 1,  # the category filter's choices
    Quiz: 2,  # the roadmap-stage and concept filters' choices
    Question: 2,  # the quiz filter's choices; the topic filter's values
}


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda m: m.__name__)
def test_changelist_queries_do_not_grow_with_rows(as_instructor, django_assert_num_queries, model):
    url = _admin_url(model)
    expected = BASE + EXTRA_QUERIES.get(model, 0)
    as_instructor.get(url)  # warm the process-wide caches (content types)
    with django_assert_num_queries(expected):
        few = as_instructor.get(url)
    _bulk(model, 200)
    with django_assert_num_queries(expected):
        many = as_instructor.get(url)
    assert len(many.context["cl"].result_list) == 100  # a full page: drafts and all
    assert len(many.context["cl"].result_list) > len(few.context["cl"].result_list)


@pytest.mark.parametrize(
    ("field", "attribute", "value"),
    [
        ("year", "year", 1850),
        # The paper's `url` (`url` in the API is the item's API address).
        ("external_url", "url", "ftp://example.org/x"),
    ],
    ids=["year", "url"],
)
def test_the_api_refuses_what_the_admin_refuses(instructor, field, attribute, value):
    # The API's serializers validate through the model's full_clean(), as the admin does (its
    # URL field also refuses other schemes itself, with its own message).
    api = APIClient()
    api.force_authenticate(instructor)
    paper = Paper.objects.order_by("pk").first()
    response = api.patch(f"/api/v1/papers/{paper.slug}/", {field: value}, format="json")
    assert response.status_code == 400
    errors = response.json()["error"]["fields"][field]
    if field == "year":
        assert errors == [f"Enter a year between 1900 and {timezone.now().year + 1}."]
    paper.refresh_from_db()
    assert getattr(paper, attribute) != value
