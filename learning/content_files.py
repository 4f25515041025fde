"""Load the content files in `fixtures/content/` (YAML, natural keys) into the database.

The format is described in CONTENT.md ("Content files"). Loading is an upsert by natural key
(a slug, or parent + position for child rows), all in one transaction: a file with a problem
stops the load with the file and line, and nothing is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, transaction

CONTENT_DIR = Path(settings.BASE_DIR) / "fixtures" / "content"


class ContentError(Exception):
    """A problem in a content file, with where it is."""

    def __init__(self, path: Path, line: int | None, message: str):
        self.path, self.line, self.message = path, line, message
        where = f"{path.name}:{line}" if line else path.name
        super().__init__(f"{where}: {message}")


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that remembers the line each mapping starts on (as `__line__`)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

# YAML 1.1 reads on/off/yes/no as booleans, so the token "on" would become True: only
# true/false are booleans in content files.
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, model: type[models.Model], created: bool) -> None:
        bucket = self.created if created else self.updated
        label = model._meta.label_lower
        bucket[label] = bucket.get(label, 0) + 1

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


def content_files(directory: Path = CONTENT_DIR) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


def read_documents(path: Path) -> list[dict]:
    try:
        documents = [d for d in yaml.load_all(path.read_text(encoding="utf-8"), _LineLoader) if d]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ContentError(path, mark.line + 1 if mark else None, f"not valid YAML: {exc}") from exc
    for document in documents:
        if not isinstance(document, dict) or "model" not in document or "items" not in document:
            raise ContentError(path, None, "each document needs `model:` and `items:`")
    return documents


def load_content(paths: list[Path] | None = None) -> LoadReport:
    """Upserts every item of the given files (all of `fixtures/content/` by default)."""
    from glossary.autolink import autolinks_refresh

    report = LoadReport()
    with transaction.atomic():
        for path in paths if paths is not None else content_files():
            for document in read_documents(path):
                _load_document(path, document, report)
        autolinks_refresh()  # texts and terms may both have changed
    return report


def _load_document(path: Path, document: dict, report: LoadReport) -> None:
    try:
        model = apps.get_model(document["model"])
    except (LookupError, ValueError):
        raise ContentError(
            path, document.get("__line__"), f"unknown model {document['model']!r}"
        ) from None
    pending_m2m: list[tuple[models.Model, dict, int]] = []
    for index, item in enumerate(document["items"], start=1):
        if not isinstance(item, dict):
            raise ContentError(path, document.get("__line__"), f"item {index} is not a mapping")
        if _has_field(model, "position"):
            item.setdefault("position", index)
        _save(path, model, item, parent=None, report=report, pending_m2m=pending_m2m)
    # Many-to-many links last, so items of one file can name each other (Term.related).
    for obj, values, line in pending_m2m:
        _set_m2m(path, obj, values, line)


def _save(
    path: Path,
    model: type[models.Model],
    item: dict,
    parent: tuple[models.ForeignKey, models.Model] | None,
    report: LoadReport,
    pending_m2m: list,
) -> models.Model:
    line = item.get("__line__")
    fields: dict[str, Any] = {}
    m2m: dict[str, list] = {}
    children: dict[str, list] = {}
    child_relations = {
        rel.get_accessor_name(): rel
        for rel in model._meta.related_objects
        # Owned children only (deleted with their parent): choices of a question, not the
        # LLM steps that merely point at a concept.
        if rel.one_to_many and rel.on_delete is models.CASCADE
    }
    for key, value in item.items():
        if key == "__line__":
            continue
        if key in child_relations:
            children[key] = value or []
            continue
        try:
            model_field = model._meta.get_field(key)
        except Exception:
            raise ContentError(path, line, f"{model.__name__} has no field {key!r}") from None
        if model_field.many_to_many:
            m2m[key] = value or []
        elif model_field.many_to_one:
            fields[model_field.name] = (
                _lookup(path, line, model_field.related_model, value) if value else None
            )
        else:
            fields[key] = "" if value is None and _is_text(model_field) else _plain(value)

    if parent is not None:
        parent_field, parent_obj = parent
        fields[parent_field.name] = parent_obj
        lookup = {parent_field.name: parent_obj, "position": fields["position"]}
    else:
        if "slug" not in fields:
            raise ContentError(path, line, f"a {model.__name__} needs a slug")
        lookup = {"slug": fields["slug"]}

    obj = model._default_manager.filter(**lookup).first()
    created = obj is None
    if created:
        obj = model(**fields)
    else:
        for name, value in fields.items():
            setattr(obj, name, value)
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ContentError(path, line, f"{model.__name__} {lookup}: {exc.message_dict}") from None
    obj.save()
    report.count(model, created)
    if m2m:
        pending_m2m.append((obj, m2m, line))

    for accessor, rows in children.items():
        relation = child_relations[accessor]
        kept = []
        for index, row in enumerate(rows, start=1):
            if not isinstance(row, dict):
                raise ContentError(path, line, f"{accessor} item {index} is not a mapping")
            row.setdefault("position", index)
            child = _save(
                path,
                relation.related_model,
                row,
                parent=(relation.field, obj),
                report=report,
                pending_m2m=pending_m2m,
            )
            kept.append(child.pk)
        # The file is the whole truth about an item's children: drop the ones it no longer has.
        getattr(obj, accessor).exclude(pk__in=kept).delete()
    return obj


def _set_m2m(path: Path, obj: models.Model, values: dict[str, list], line: int | None) -> None:
    for name, slugs in values.items():
        model_field = obj._meta.get_field(name)
        targets = [_lookup(path, line, model_field.related_model, slug) for slug in slugs]
        getattr(obj, name).set(targets)


def _lookup(path: Path, line: int | None, model: type[models.Model], key: Any) -> models.Model:
    natural_key = key if isinstance(key, list) else [key]
    try:
        return model._default_manager.get_by_natural_key(*natural_key)
    except ObjectDoesNotExist:
        raise ContentError(path, line, f"no {model.__name__} {key!r} (load order?)") from None


def _plain(value: Any) -> Any:
    """The value without the loader's `__line__` markers (JSON fields hold nested mappings)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _has_field(model: type[models.Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def _is_text(model_field: models.Field) -> bool:
    return isinstance(model_field, (models.CharField, models.TextField))


def content_is_empty() -> bool:
    """True when no content has been loaded yet (a fresh database)."""
    from learning.models import Section

    return not Section.objects.exists()
