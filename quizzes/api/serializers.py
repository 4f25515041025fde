"""Quiz API shapes. Nothing here carries a choice's correctness before the learner answers."""

from rest_framework import serializers

from genai_site.api import StrictIntegerField

from ..models import Attempt, Choice, Question, Quiz


class ChoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Choice
        fields = ["id", "text"]


class QuestionSerializer(serializers.ModelSerializer):
    choices = ChoiceSerializer(many=True, read_only=True)
    concept = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Question
        fields = ["id", "position", "topic", "prompt", "concept", "choices"]


class QuizListSerializer(serializers.ModelSerializer):
    question_count = serializers.IntegerField(read_only=True)
    concept = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    architecture = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    roadmap_stage = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    url = serializers.HyperlinkedIdentityField(
        view_name="api:quiz-detail", lookup_field="slug", read_only=True
    )
    page = serializers.SerializerMethodField()

    class Meta:
        model = Quiz
        fields = [
            "slug",
            "title",
            "summary",
            "question_count",
            "concept",
            "architecture",
            "roadmap_stage",
            "url",
            "page",
        ]

    def get_page(self, quiz: Quiz) -> str:
        request = self.context.get("request")
        url = quiz.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class QuizDetailSerializer(QuizListSerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta(QuizListSerializer.Meta):
        fields = [*QuizListSerializer.Meta.fields, "questions"]


class SubmittedAnswerSerializer(serializers.Serializer):
    question = StrictIntegerField(min_value=1)
    choice = StrictIntegerField(min_value=1)


class AttemptCreateSerializer(serializers.Serializer):
    answers = SubmittedAnswerSerializer(many=True, allow_empty=False)


class GradedChoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    reason = serializers.CharField()


class GradedAnswerSerializer(serializers.Serializer):
    """One answer, graded: the choice, whether it was right, the right choice and why."""

    question = serializers.IntegerField(source="question_id")
    prompt = serializers.CharField(source="version.snapshot.prompt")
    chosen = GradedChoiceSerializer()
    is_right = serializers.BooleanField(source="is_correct")
    right_choice = GradedChoiceSerializer(source="version.correct_choice")
    explanation = serializers.CharField(source="version.snapshot.explanation")
    source = serializers.CharField(source="version.snapshot.source")
    source_url = serializers.CharField(source="version.snapshot.source_url")


class AttemptSerializer(serializers.ModelSerializer):
    quiz = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    answers = GradedAnswerSerializer(many=True, read_only=True)

    class Meta:
        model = Attempt
        fields = ["id", "quiz", "mode", "score", "total", "started_at", "finished_at", "answers"]


class AttemptSummarySerializer(serializers.ModelSerializer):
    quiz = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Attempt
        fields = ["id", "quiz", "mode", "score", "total", "started_at", "finished_at"]
