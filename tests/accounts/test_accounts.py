"""Sign-up, log-in (with throttling), log-out, profile, password reset."""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache

from accounts import throttle

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "Correct-Horse-Battery-9"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def test_signup_creates_the_account_and_signs_in(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "ada",
            "email": "ada@example.org",
            "time_zone": "Europe/Paris",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    user = User.objects.get(username="ada")
    assert user.time_zone == "Europe/Paris" and user.check_password(PASSWORD)
    assert client.get("/dashboard/").status_code == 200


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "taken"}, "A user with that username already exists."),
        ({"password1": "password", "password2": "password"}, "This password is too common."),
        ({"password2": "Different-Password-1"}, "The two password fields didn"),
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
    ],
)
def test_bad_signup_gets_a_clear_message_and_creates_nothing(client, data, message):
    User.objects.create_user("taken", password=PASSWORD)
    form = {
        "username": "newcomer",
        "email": "",
        "time_zone": "UTC",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **data,
    }
    response = client.post("/accounts/signup/", form)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert User.objects.count() == 1


def test_signup_validates_in_place_with_htmx_without_saving(client):
    User.objects.create_user("taken", password=PASSWORD)
    response = client.post(
        "/accounts/signup/",
        {"username": "taken", "_validate": "1", "password1": "", "password2": ""},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "already exists" in html
    assert "This field is required" not in html  # untouched fields are not judged yet
    assert User.objects.count() == 1


def test_login_and_logout(client):
    User.objects.create_user("bob", password=PASSWORD)
    response = client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/accounts/logout/").status_code == 405  # logging out is a POST
    client.post("/accounts/logout/")
    assert client.get("/dashboard/").status_code == 302


def test_login_is_throttled_after_five_failures(client, caplog):
    User.objects.create_user("carol", password=PASSWORD)
    for _ in range(throttle.MAX_FAILURES):
        response = client.post("/accounts/login/", {"username": "carol", "password": "wrong"})
        assert "Please enter a correct username and password" in response.content.decode()
    with caplog.at_level(logging.WARNING, logger="accounts.throttle"):
        response = client.post("/accounts/login/", {"username": "carol", "password": PASSWORD})
    assert "Too many failed attempts" in response.content.decode()
    assert client.get("/dashboard/").status_code == 302  # still not signed in
    assert any("refused while throttled" in r.message for r in caplog.records)


def test_throttle_counts_per_address_too(client):
    User.objects.create_user("dave", password=PASSWORD)
    for i in range(throttle.MAX_FAILURES):
        client.post("/accounts/login/", {"username": f"nobody{i}", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "dave", "password": PASSWORD})
    assert "Too many failed attempts" in response.content.decode()


@pytest.mark.parametrize("num_proxies", [0, 1])
def test_behind_the_proxy_the_address_is_the_clients(client, settings, num_proxies):
    """Behind the TLS proxy every request comes from its address: one client's failures must
    not lock everyone out, and a client cannot dodge the count by forging X-Forwarded-For."""
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {"NUM_PROXIES": num_proxies}
    User.objects.create_user("dora", password=PASSWORD)
    for i in range(throttle.MAX_FAILURES):
        client.post(
            "/accounts/login/",
            {"username": f"nobody{i}", "password": "wrong"},
            # A forged first hop, then the address the proxy saw.
            headers={"x-forwarded-for": f"10.9.9.{i}, 198.51.100.1"},
            REMOTE_ADDR="127.0.0.1",
        )
    other_client = {"headers": {"x-forwarded-for": "198.51.100.2"}, "REMOTE_ADDR": "127.0.0.1"}
    response = client.post(
        "/accounts/login/", {"username": "dora", "password": PASSWORD}, **other_client
    )
    if num_proxies:
        assert response.status_code == 302  # another client behind the same proxy gets in
    else:
        assert "Too many failed attempts" in response.content.decode()  # all one address


def test_throttle_window_passes(client, monkeypatch):
    User.objects.create_user("erin", password=PASSWORD)
    for _ in range(throttle.MAX_FAILURES):
        client.post("/accounts/login/", {"username": "erin", "password": "wrong"})
    cache.clear()  # what the cache does when the 15-minute window expires
    response = client.post("/accounts/login/", {"username": "erin", "password": PASSWORD})
    assert response.status_code == 302


def test_profile_sets_display_name_and_time_zone(client):
    user = User.objects.create_user("fay", password=PASSWORD)
    client.force_login(user)
    response = client.post(
        "/accounts/profile/", {"display_name": "Fay", "email": "", "time_zone": "Asia/Tokyo"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.time_zone) == ("Fay", "Asia/Tokyo")


def test_unknown_time_zone_changes_nothing(client):
    user = User.objects.create_user("gus", password=PASSWORD, time_zone="Europe/Berlin")
    client.force_login(user)
    response = client.post(
        "/accounts/profile/", {"display_name": "Gus", "email": "", "time_zone": "Nowhere/City"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    user.refresh_from_db()
    assert (user.display_name, user.time_zone) == ("", "Europe/Berlin")


def test_password_reset_sends_a_working_link(client):
    User.objects.create_user("hal", email="hal@example.org", password=PASSWORD)
    response = client.post("/accounts/password_reset/", {"email": "hal@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200 and "new password" in form_page.content.decode().lower()


def test_password_change(client):
    user = User.objects.create_user("ivy", password=PASSWORD)
    client.force_login(user)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "Another-Long-Pass-7",
            "new_password2": "Another-Long-Pass-7",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Another-Long-Pass-7")
