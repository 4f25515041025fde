from django.urls import path

from . import review_views, views

app_name = "glossary"

urlpatterns = [
    path("", views.index, name="index"),
    path("review/", review_views.review, name="review"),
    path("review/<int:card_id>/", review_views.review, name="review_card"),
    path("deck/", review_views.deck_add, name="deck_add"),
    path("<slug:slug>/", views.term_detail, name="term"),
]
