"""The learner's own data over the API: progress (read, mark, unmark) and the export."""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from genai_site.api import StrictBooleanField, StrictIntegerField
from glossary.models import Card
from glossary.review_views import end_of_today
from glossary.services import ReviewError, card_review
from learning import services as progress_services
from learning.dashboard import quiz_scores, stage_progress
from learning.models import Bookmark, LearnedItem, RoadmapStage
from learning.progress import LEARNABLE, resolve
from quizzes.models import Attempt

from .. import services


class MarkSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=sorted(LEARNABLE))
    object_id = StrictIntegerField(min_value=1)
    learned = StrictBooleanField(default=True)


class ProgressItemSerializer(serializers.Serializer):
    kind = serializers.CharField()
    object_id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    at = serializers.DateTimeField()


class StageProgressSerializer(serializers.Serializer):
    stage = serializers.CharField(source="stage.slug")
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    complete = serializers.BooleanField()


class ProgressSerializer(serializers.Serializer):
    username = serializers.CharField()
    learned = ProgressItemSerializer(many=True)
    bookmarks = ProgressItemSerializer(many=True)
    roadmap = StageProgressSerializer(many=True)


def _items(rows, refs, at_field: str, request) -> list[dict]:
    out = []
    for row in rows:
        ref = refs.get((row.kind, row.object_id))
        if ref:
            out.append(
                {
                    "kind": row.kind,
                    "object_id": row.object_id,
                    "title": ref.title,
                    "url": request.build_absolute_uri(ref.url),
                    "at": getattr(row, at_field),
                }
            )
    return out


class MyProgress(APIView):
    """Your own progress: what you marked learned, your bookmarks, and each roadmap stage."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={200: ProgressSerializer, 401: OpenApiResponse(description="Not signed in.")}
    )
    def get(self, request):
        user = request.user
        learned = list(LearnedItem.objects.filter(user=user))
        bookmarks = list(Bookmark.objects.filter(user=user))
        refs = resolve([(x.kind, x.object_id) for x in learned + bookmarks])
        learned_pairs = {(x.kind, x.object_id) for x in learned}
        scores = quiz_scores(Attempt.objects.filter(user=user).summaries())
        stages = RoadmapStage.objects.prefetch_related("items", "concepts", "quizzes")
        data = {
            "username": user.get_username(),
            "learned": _items(learned, refs, "learned_at", request),
            "bookmarks": _items(bookmarks, refs, "created_at", request),
            "roadmap": [stage_progress(s, learned_pairs, scores) for s in stages],
        }
        return Response(ProgressSerializer(data).data)

    @extend_schema(
        request=MarkSerializer,
        responses={
            200: ProgressSerializer,
            400: OpenApiResponse(description="Unknown kind or item."),
            401: OpenApiResponse(description="Not signed in."),
        },
    )
    def post(self, request):
        """Mark an item learned (`learned: true`) or unmark it (`learned: false`)."""
        serializer = MarkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            progress_services.progress_mark(user=request.user, **serializer.validated_data)
        except progress_services.ProgressError as exc:
            raise ValidationError({"object_id": [exc.message]}) from exc
        return self.get(request)


class MyExport(APIView):
    """Everything the site holds about you, as JSON (the same as the profile page's export)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: OpenApiResponse(description="The export, as JSON.")})
    def get(self, request):
        response = HttpResponse(
            services.data_export_json(user=request.user), content_type="application/json"
        )
        response["Content-Disposition"] = 'attachment; filename="genai-guide-export.json"'
        return response


class ReviewCardSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    term = serializers.CharField(source="term.slug")
    name = serializers.CharField(source="term.name")
    due = serializers.DateTimeField()


class RatingSerializer(serializers.Serializer):
    card = StrictIntegerField(min_value=1)
    rating = StrictIntegerField(min_value=1, max_value=4, help_text="1 Again … 4 Easy.")


class ReviewResultSerializer(serializers.Serializer):
    card = serializers.IntegerField(source="card_id")
    rating = serializers.IntegerField()
    reviewed_at = serializers.DateTimeField()
    due = serializers.DateTimeField(source="due_after")


class MyReviews(APIView):
    """Your review deck: the cards due today (in your time zone); POST a rating for one."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: ReviewCardSerializer(many=True)})
    def get(self, request):
        cards = (
            Card.objects.filter(user=request.user)
            .due_before(end_of_today(request.user))
            .select_related("term")
        )
        return Response(ReviewCardSerializer(cards, many=True).data)

    @extend_schema(
        request=RatingSerializer,
        responses={
            201: ReviewResultSerializer,
            400: OpenApiResponse(description="A rating outside 1–4, or a card not yours."),
        },
    )
    def post(self, request):
        serializer = RatingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            review = card_review(
                user=request.user,
                card_id=serializer.validated_data["card"],
                rating=serializer.validated_data["rating"],
            )
        except ReviewError as exc:
            raise ValidationError({"card": [exc.message]}) from exc
        return Response(ReviewResultSerializer(review).data, status=201)
