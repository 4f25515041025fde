"""Quizzes over the API: list, detail (never the answers), and graded attempts."""

from django.db.models import Count, Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from .. import services
from ..models import Answer, Attempt, Choice, Question, Quiz
from .serializers import (
    AttemptCreateSerializer,
    AttemptSerializer,
    AttemptSummarySerializer,
    QuizDetailSerializer,
    QuizListSerializer,
)


class QuizList(generics.ListAPIView):
    serializer_class = QuizListSerializer

    def get_queryset(self):
        return (
            Quiz.objects.in_order()
            .select_related("concept", "architecture", "roadmap_stage")
            .annotate(question_count=Count("questions"))
        )


class QuizDetail(generics.RetrieveAPIView):
    serializer_class = QuizDetailSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return (
            Quiz.objects.select_related("concept", "architecture", "roadmap_stage")
            .annotate(question_count=Count("questions"))
            .prefetch_related(
                Prefetch(
                    "questions",
                    queryset=Question.objects.order_by("position")
                    .select_related("concept")
                    .prefetch_related(
                        Prefetch("choices", queryset=Choice.objects.order_by("position"))
                    ),
                )
            )
        )


def _graded(attempt: Attempt) -> Attempt:
    """The attempt with its answers and their versions, for the graded response (2 queries)."""
    return (
        Attempt.objects.select_related("quiz")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("version")))
        .get(pk=attempt.pk)
    )


class AttemptCreate(generics.GenericAPIView):
    """Submit answers to a quiz; the response is the graded attempt."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = AttemptCreateSerializer

    @extend_schema(
        request=AttemptCreateSerializer,
        responses={
            201: AttemptSerializer,
            400: OpenApiResponse(description="An unknown question or choice, or no answers."),
            401: OpenApiResponse(description="Not signed in."),
            404: OpenApiResponse(description="No such quiz."),
        },
    )
    def post(self, request, slug: str):
        quiz = generics.get_object_or_404(Quiz, slug=slug)
        serializer = AttemptCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            attempt = services.attempt_submit(
                quiz=quiz, user=request.user, answers=serializer.validated_data["answers"]
            )
        except services.AnswerError as exc:
            raise ValidationError({exc.field: [exc.message]}) from exc
        return Response(AttemptSerializer(_graded(attempt)).data, status=status.HTTP_201_CREATED)


class MyAttempts(generics.ListAPIView):
    """The signed-in learner's own attempts, newest first."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = AttemptSummarySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Attempt.objects.none()
        return Attempt.objects.filter(user=self.request.user).select_related("quiz")
