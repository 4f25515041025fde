"""Item statistics against a small example computed by hand."""

import pytest

from quizzes import services
from quizzes.statistics import pearson, quiz_statistics, statistics_csv

from .factories import make_quiz, right_choice, wrong_choice

pytestmark = pytest.mark.django_db


def test_pearson_by_hand():
    assert pearson([1, 1, 0, 0], [2, 1, 1, 0]) == pytest.approx(1 / 2**0.5)
    assert pearson([1, 0, 1, 0], [2, 2, 0, 0]) == pytest.approx(0.0)
    assert pearson([1, 1, 1], [0, 1, 2]) is None  # no variance in the item


def test_facility_and_discrimination_match_the_hand_computed_example():
    quiz = make_quiz(questions=3)
    q1, q2, q3 = quiz.questions.order_by("position")
    # Rows: attempts; columns: was q1, q2, q3 right? Scores 3, 2, 1, 0.
    pattern = [(1, 1, 1), (1, 0, 1), (0, 1, 0), (0, 0, 0)]
    for i, row in enumerate(pattern):
        attempt = services.attempt_start(quiz=quiz, session_key=f"s{i}")
        for question, right in zip((q1, q2, q3), row, strict=True):
            choice = right_choice(question) if right else wrong_choice(question)
            services.answer_record(attempt=attempt, question_id=question.pk, choice_id=choice.pk)
    stats = {s.question.pk: s for s in quiz_statistics(quiz)}
    # q1: item [1,1,0,0] against rest-of-test [2,1,1,0]: r = 1/√2.
    assert stats[q1.pk].facility == pytest.approx(50.0)
    assert stats[q1.pk].discrimination == pytest.approx(70.71, abs=0.01)
    # q2: item [1,0,1,0] against rest [2,2,0,0]: r = 0.
    assert stats[q2.pk].discrimination == pytest.approx(0.0)
    assert stats[q3.pk].discrimination == pytest.approx(70.71, abs=0.01)
    assert stats[q1.pk].attempts == 4 and stats[q1.pk].right == 2
    # Both wrong answers to q1 picked the same wrong choice.
    assert stats[q1.pk].wrong_picks[0] == (wrong_choice(q1).text, 2)
    csv_text = statistics_csv(quiz)
    assert "facility_index_percent" in csv_text and "70.7" in csv_text


def test_open_attempts_do_not_count():
    quiz = make_quiz(questions=2)
    q1 = quiz.questions.order_by("position").first()
    attempt = services.attempt_start(quiz=quiz, session_key="s")
    services.answer_record(attempt=attempt, question_id=q1.pk, choice_id=right_choice(q1).pk)
    assert quiz_statistics(quiz) == []


def test_statistics_page_for_staff_only(client, admin_client, django_user_model):
    quiz = make_quiz()
    url = f"/admin/quizzes/quiz/{quiz.pk}/statistics/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(f"/admin/quizzes/quiz/{quiz.pk}/statistics.csv")[
        "Content-Type"
    ].startswith("text/csv")
    learner = django_user_model.objects.create_user("learner", password="pw-123456-long")
    client.force_login(learner)
    assert client.get(url).status_code == 302  # to the admin login: not staff
    staff = django_user_model.objects.create_user("staff", password="pw-123456-long", is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 403  # staff without the permission
