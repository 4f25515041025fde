"""The Instructors group: add, change, delete and view every piece of content, and nothing over
users, groups or learners' own rows (progress, attempts, answers, activity)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT_MODELS = {
    "learning": [
        "section", "herostat", "pipelinestage", "roadmapstage", "roadmapitem", "concept",
        "llmstep", "pioneer", "paper", "paperauthor", "architecture", "learningpathstage",
        "systemtype", "modelfamily", "resource", "promptexample", "prompttechnique",
    ],
    "glossary": ["category", "term", "definition"],
    "quizzes": ["quiz", "question", "choice"],
}
# Seen, not edited: question versions are history that statistics rest on.
VIEW_ONLY = {"quizzes": ["questionversion"]}


def create_group(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Instructors")
    codenames = []
    for app_label, models in CONTENT_MODELS.items():
        for model in models:
            codenames += [(app_label, f"{action}_{model}") for action in ("add", "change", "delete", "view")]
    for app_label, models in VIEW_ONLY.items():
        codenames += [(app_label, f"view_{model}") for model in models]
    permissions = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in codenames
    ]
    group.permissions.set(permissions)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Instructors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_time_zone"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("learning", "0002_activity_bookmark_learneditem"),
        ("glossary", "0001_initial"),
        ("quizzes", "0002_question_lab_link_attempt_questionversion_answer_and_more"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
