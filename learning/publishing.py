"""Drafts: content prepared before it goes live. Learners never see a draft (the default
manager of publishable models hides them); staff preview them on the site, with a banner."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404


def sees_drafts(user) -> bool:
    """Authoring happens in the admin, which needs staff status, so staff is the test (and it
    costs no query on a learner's request)."""
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def with_drafts_for(user, queryset: QuerySet) -> QuerySet:
    """The learners' queryset, plus drafts (same joins and prefetches) for those who see them."""
    if sees_drafts(user) and hasattr(queryset.model, "all_objects"):
        return queryset | queryset.model.all_objects.filter(is_published=False)
    return queryset


def get_visible_or_404(request, queryset: QuerySet, **lookup):
    return get_object_or_404(with_drafts_for(request.user, queryset), **lookup)
