from django.urls import path

from . import generative_urls, language_urls, views

app_name = "lab"

urlpatterns = [
    path("", views.index, name="index"),
    *language_urls.urlpatterns,
    *generative_urls.urlpatterns,
]
