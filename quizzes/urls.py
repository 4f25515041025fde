from django.urls import path

from . import views

app_name = "quizzes"

urlpatterns = [
    path("", views.quiz_list, name="index"),
    path("<slug:slug>/", views.quiz_detail, name="quiz"),
]
