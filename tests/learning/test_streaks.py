"""Streaks count calendar days in the learner's time zone: midnight, zone changes, DST."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.db.models.functions import TruncDate

from learning.models import Activity
from learning.streaks import current_streak, longest_streak

pytestmark = pytest.mark.django_db
User = get_user_model()


def days_for(user) -> set[date]:
    """The same query the dashboard runs."""
    return {
        row["day"]
        for row in Activity.objects.for_user(user)
        .annotate(day=TruncDate("at", tzinfo=user.zone))
        .values("day")
        .annotate(n=Count("id"))
    }


def act(user, when: datetime) -> None:
    Activity.objects.create(user=user, verb=Activity.Verb.LEARNED, at=when)


def test_pure_streak_counting():
    d = date(2026, 5, 10)
    days = {d - timedelta(days=i) for i in range(4)} | {d - timedelta(days=10)}
    assert current_streak(days, d) == 4
    assert current_streak(days, d + timedelta(days=1)) == 4  # today not over yet
    assert current_streak(days, d + timedelta(days=2)) == 0
    assert longest_streak(days) == 4
    assert longest_streak([]) == 0


def test_midnight_in_the_learners_zone_splits_days():
    user = User.objects.create_user("tz", password="x" * 12, time_zone="America/New_York")
    ny = ZoneInfo("America/New_York")
    act(user, datetime(2026, 6, 1, 23, 30, tzinfo=ny))
    act(user, datetime(2026, 6, 2, 0, 30, tzinfo=ny))  # one hour later, the next local day
    days = days_for(user)
    assert days == {date(2026, 6, 1), date(2026, 6, 2)}
    assert current_streak(days, date(2026, 6, 2)) == 2


def test_the_same_moments_in_utc_are_one_day():
    user = User.objects.create_user("utc", password="x" * 12, time_zone="UTC")
    act(user, datetime(2026, 6, 2, 3, 30, tzinfo=UTC))  # 23:30 in New York on 1 June
    act(user, datetime(2026, 6, 2, 4, 30, tzinfo=UTC))  # 00:30 in New York on 2 June
    assert days_for(user) == {date(2026, 6, 2)}


def test_a_time_zone_change_recounts_history_in_the_new_zone():
    user = User.objects.create_user("mover", password="x" * 12, time_zone="UTC")
    # 22:00 UTC on three days: in Tokyo (UTC+9) those are 07:00 the next mornings.
    for day in (1, 2, 3):
        act(user, datetime(2026, 3, day, 22, 0, tzinfo=UTC))
    assert days_for(user) == {date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)}
    user.time_zone = "Asia/Tokyo"
    user.save()
    days = days_for(user)
    assert days == {date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)}
    assert current_streak(days, date(2026, 3, 4)) == 3


def test_a_daylight_saving_switch_keeps_the_streak():
    # Europe/Berlin springs forward on 29 March 2026 (that day has 23 hours) and falls back on
    # 25 October 2026 (25 hours). Activity at 00:30 local time every day stays one per day.
    user = User.objects.create_user("dst", password="x" * 12, time_zone="Europe/Berlin")
    berlin = ZoneInfo("Europe/Berlin")
    for start in (date(2026, 3, 27), date(2026, 10, 23)):
        for i in range(5):
            d = start + timedelta(days=i)
            act(user, datetime(d.year, d.month, d.day, 0, 30, tzinfo=berlin))
    days = days_for(user)
    assert len(days) == 10
    assert current_streak(days, date(2026, 3, 31)) == 5
    assert current_streak(days, date(2026, 10, 27)) == 5
    assert longest_streak(days) == 5
