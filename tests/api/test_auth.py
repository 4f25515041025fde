"""Tokens: `POST /api/v1/auth/token/` trades a username and password for a token, `DELETE`
revokes it; a revoked or made-up token is a 401."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from .conftest import token_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/token/"
PASSWORD = "a-long-test-password-42"


def test_a_token_for_a_username_and_password(anon, learner):
    response = anon.post(URL, {"username": "learner", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert token == Token.objects.get(user=learner).key
    # the same token until it is revoked
    again = anon.post(URL, {"username": "learner", "password": PASSWORD}, format="json")
    assert again.json()["token"] == token


def test_the_token_signs_requests_in(anon, instructor):
    token = anon.post(URL, {"username": "instructor", "password": PASSWORD}, format="json").json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token['token']}")
    body = {"slug": "by-token", "title": "T", "year": 2024, "summary": "S"}
    assert client.post("/api/v1/papers/", body, format="json").status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {"username": "learner", "password": "wrong"},
        {"username": "nobody", "password": PASSWORD},
    ],
)
def test_bad_credentials_are_a_400_with_a_clear_message(anon, learner, body):
    response = anon.post(URL, body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"] == "No active account has this username and password."
    assert not Token.objects.exists()


def test_an_inactive_account_gets_no_token(anon, learner):
    learner.is_active = False
    learner.save()
    response = anon.post(URL, {"username": "learner", "password": PASSWORD}, format="json")
    assert response.status_code == 400


def test_missing_credentials_name_the_missing_fields(anon):
    response = anon.post(URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"username", "password"}


def test_delete_revokes_the_token(learner):
    client = token_client(learner)
    assert client.get("/api/v1/concepts/").status_code == 200
    assert client.delete(URL).status_code == 204
    assert not Token.objects.filter(user=learner).exists()

    response = client.get("/api/v1/concepts/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"] == {
        "status": 401,
        "code": "authentication_failed",
        "message": "Invalid token.",
    }


def test_revoking_needs_a_signed_in_user(anon):
    response = anon.delete(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_made_up_token_is_a_401_even_for_reads(anon):
    anon.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert anon.get("/api/v1/concepts/").status_code == 401


def test_revoking_one_learners_token_leaves_anothers(learner, other_learner):
    mine, theirs = token_client(learner), token_client(other_learner)
    assert mine.delete(URL).status_code == 204
    assert theirs.get("/api/v1/concepts/").status_code == 200
    assert Token.objects.filter(user=other_learner).exists()
