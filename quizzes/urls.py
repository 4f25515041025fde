from django.urls import path

from . import views

app_name = "quizzes"

urlpatterns = [
    path("", views.quiz_list, name="index"),
    path("<slug:slug>/", views.quiz_detail, name="quiz"),
    path("<slug:slug>/start/", views.attempt_start_view, name="start"),
    path("<slug:slug>/attempts/<int:attempt_id>/", views.attempt_detail, name="attempt"),
    path("<slug:slug>/attempts/<int:attempt_id>/answer/", views.answer, name="answer"),
]
