"""The content files in `fixtures/content/` (YAML, natural keys), to and from the database.

The format is described in CONTENT.md ("Content files"). Loading is an upsert by natural key
(a slug, or parent + position for child rows), all in one transaction: a file with a problem
stops the load with the file and line, and nothing is written.

- `load_content` upserts what the files name (first run, tests).
- `import_content` makes the database hold exactly what the files hold: a field a file leaves out
  takes its default, an item it leaves out is deleted; `dry_run` reports and writes nothing.
- `export_content` writes the files back from the database, in a stable form, so that
  export → import → export gives the same bytes.

Fields come from each model's `_meta`, so a field added to a content model is exported and
imported without a change here; only a new content model needs a place in EXPORT_LAYOUT.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Prefetch, ProtectedError, Q

CONTENT_DIR = Path(settings.BASE_DIR) / "fixtures" / "content"
CHANGES = ("created", "updated", "deleted")


class ContentError(Exception):
    """A problem in a content file, with where it is."""

    def __init__(self, path: Path, line: int | None, message: str):
        self.path, self.line, self.message = path, line, message
        where = f"{path.name}:{line}" if line else path.name
        super().__init__(f"{where}: {message}")


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """A safe YAML loader that remembers the line each mapping starts on (as `__line__`).
    libyaml's parser when PyYAML has it (several times faster), else PyYAML's own."""


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
    """What a load found and did, per model label (`app_label.modelname`): how many rows the files
    hold, and the natural keys of the rows it created, updated and deleted."""

    rows: dict[str, int] = field(default_factory=dict)
    changes: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def saw(self, model: type[models.Model]) -> None:
        label = model._meta.label_lower
        self.rows[label] = self.rows.get(label, 0) + 1

    def record(self, model: type[models.Model], change: str, key: str) -> None:
        self.changes.setdefault(model._meta.label_lower, {}).setdefault(change, []).append(key)

    def counts(self, change: str) -> dict[str, int]:
        return {label: len(by[change]) for label, by in self.changes.items() if by.get(change)}

    @property
    def created(self) -> dict[str, int]:
        return self.counts("created")

    @property
    def updated(self) -> dict[str, int]:
        return self.counts("updated")

    @property
    def deleted(self) -> dict[str, int]:
        return self.counts("deleted")

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    def total(self, change: str) -> int:
        return sum(self.counts(change).values())

    @property
    def total_changes(self) -> int:
        return sum(self.total(change) for change in CHANGES)


def content_files(directory: Path = CONTENT_DIR) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


def read_documents(path: Path) -> list[dict]:
    try:
        documents = [d for d in yaml.load_all(path.read_text(encoding="utf-8"), _LineLoader) if d]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and context_mark:
            # e.g. an unclosed `[`: found at the end of the file, opened on the context's line.
            problem += f" ({context} on line {context_mark.line + 1})"
        raise ContentError(
            path, mark.line + 1 if mark else None, f"not valid YAML: {problem}"
        ) from exc
    for document in documents:
        if not isinstance(document, dict) or "model" not in document or "items" not in document:
            raise ContentError(path, None, "each document needs `model:` and `items:`")
        if not isinstance(document["items"] or [], list):
            raise ContentError(path, document.get("__line__"), "`items:` must be a list")
    return documents


# Which fields and rows are content -----------------------------------------------------------


def value_fields(
    model: type[models.Model], parent_field: models.Field | None = None
) -> list[models.Field]:
    """The fields a file sets on a row: concrete and editable (not the computed `autolinks`), not
    the database id, and not the link of a child row to its parent (the nesting says it)."""
    return [
        f
        for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and f is not parent_field
    ]


def m2m_fields(model: type[models.Model]) -> list[models.ManyToManyField]:
    """The many-to-many fields a file sets (declared on this model, with Django's own table)."""
    return [f for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]


def child_relations(model: type[models.Model]) -> dict[str, models.ManyToOneRel]:
    """A model's own child rows, nested in its items by related_name: reverse foreign keys that
    cascade (deleted with their parent) from models with a natural key and a position. So a
    question's choices, but not the LLM steps that merely point at a concept, nor learners'
    attempts at a quiz or their cards of a term (which have no natural key)."""
    return {
        rel.get_accessor_name(): rel
        for rel in model._meta.related_objects
        if rel.one_to_many
        and rel.on_delete is models.CASCADE
        and hasattr(rel.related_model, "natural_key")
        and _has_field(rel.related_model, "position")
    }


# Loading -----------------------------------------------------------------------------------------


def load_content(
    paths: list[Path] | None = None, *, exact: bool = False, report: LoadReport | None = None
) -> LoadReport:
    """Upserts every item of the given files (all of `fixtures/content/` by default).

    With `exact`, the files are the whole truth about the models they hold: fields they leave
    out take their defaults and items they leave out are deleted (children always are).
    """
    from genai_site.page_cache import content_version_bump
    from glossary.autolink import autolinks_refresh

    report = report if report is not None else LoadReport()
    loader = _Loader(report, exact=exact)
    with transaction.atomic():
        for path in paths if paths is not None else content_files():
            for document in read_documents(path):
                loader.load_document(path, document)
        loader.set_symmetrical()
        if exact:
            loader.delete_unlisted()
        autolinks_refresh()  # texts and terms may both have changed
        content_version_bump()  # bulk writes send no signals: cached pages must go all the same
    return report


class _DryRun(Exception):
    """Raised inside the transaction of a dry run, so that everything it did is rolled back."""


def import_content(directory: Path = CONTENT_DIR, *, dry_run: bool = False) -> LoadReport:
    """Makes the content of the database what the files of `directory` hold (see load_content's
    `exact`). A dry run does all of it, reports it, and rolls it back."""
    paths = content_files(directory)
    if not paths:
        raise ContentError(directory, None, "no content files (*.yaml) here")
    report = LoadReport()
    try:
        with transaction.atomic():
            load_content(paths, exact=True, report=report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


class _Loader:
    def __init__(self, report: LoadReport, exact: bool):
        self.report, self.exact = report, exact
        # The top-level items the files hold, model → slug → (file, line): a slug met twice is
        # an error, and an exact load deletes the rows whose slug is not here.
        self.listed: dict[type[models.Model], dict[str, tuple[Path, int | None]]] = {}
        # created / updated / unchanged, per row saved: a row whose links change is updated.
        self.states: dict[tuple[type[models.Model], int], str] = {}
        # Rows the files name in foreign keys and many-to-many lists, by natural key.
        self.targets: dict[tuple[type[models.Model], tuple], models.Model] = {}
        # A symmetrical many-to-many (Term.related) relates two rows when either lists the
        # other, whatever the order they come in: field → row → the pks it lists.
        self.symmetrical: dict[models.ManyToManyField, dict[models.Model, set[int]]] = {}

    def load_document(self, path: Path, document: dict) -> None:
        try:
            model = apps.get_model(document["model"])
        except (LookupError, ValueError):
            raise ContentError(
                path, document.get("__line__"), f"unknown model {document['model']!r}"
            ) from None
        self.listed.setdefault(model, {})
        # The rows there are, with their links and children: a few queries per document rather
        # than a few per row.
        existing = {
            obj.slug: obj for obj in model._base_manager.prefetch_related(*_prefetches(model))
        }
        pending_m2m: list[tuple[models.Model, dict, int | None]] = []
        for index, item in enumerate(document["items"] or [], start=1):
            if not isinstance(item, dict):
                raise ContentError(path, document.get("__line__"), f"item {index} is not a mapping")
            if _has_field(model, "position"):
                item.setdefault("position", index)
            self._save(path, model, item, None, existing, pending_m2m)
        # Many-to-many links last, so items of one file can name each other (Term.related).
        for obj, values, line in pending_m2m:
            self._set_m2m(path, obj, values, line)

    def _save(
        self,
        path: Path,
        model: type[models.Model],
        item: dict,
        parent: tuple[models.ForeignKey, models.Model] | None,
        existing: dict[Any, models.Model],
        pending_m2m: list,
    ) -> models.Model:
        """Saves one item (and its children) over the row of `existing` with its natural key:
        slug → row for top-level items, position → row for the children of one parent."""
        line = item.get("__line__")
        parent_field = parent[0] if parent else None
        children_of = child_relations(model)
        fields: dict[str, Any] = {}
        m2m: dict[str, list] = {}
        children: dict[str, list] = {}
        for key, value in item.items():
            if key == "__line__":
                continue
            if key in children_of:
                children[key] = _a_list(path, line, key, value)
                continue
            model_field = _settable_field(model, key)
            if model_field is None:
                raise ContentError(path, line, f"{model.__name__} has no field {key!r}")
            if model_field.many_to_many:
                m2m[key] = _a_list(path, line, key, value)
            elif model_field.many_to_one:
                fields[model_field.name] = (
                    self._lookup(path, line, model_field.related_model, value) if value else None
                )
            else:
                fields[key] = "" if value is None and _is_text(model_field) else _plain(value)
        if self.exact:
            # What the file leaves out is at its default (export leaves out default values).
            for model_field in value_fields(model, parent_field):
                if model_field.name not in fields:
                    fields[model_field.attname] = model_field.get_default()
            for model_field in m2m_fields(model):
                m2m.setdefault(model_field.name, [])
            for accessor in children_of:
                children.setdefault(accessor, [])

        if parent is not None:
            parent_obj = parent[1]
            fields[parent_field.name] = parent_obj
            key = _key_value(path, line, model, "position", fields["position"])
            lookup = {parent_field.name: parent_obj, "position": key}
        else:
            if not fields.get("slug"):
                raise ContentError(path, line, f"a {model.__name__} needs a slug")
            key = _key_value(path, line, model, "slug", fields["slug"])
            lookup = {"slug": key}
            if key in self.listed[model]:
                first_path, first_line = self.listed[model][key]
                raise ContentError(
                    path,
                    line,
                    f"{model.__name__} {key!r} is already at {first_path.name}:{first_line}",
                )
            self.listed[model][key] = (path, line)

        obj = existing.get(key)
        created = obj is None
        before: dict[str, Any] = {}
        if created:
            obj = model(**fields)
        else:
            before = _snapshot(obj)
            for name, value in fields.items():
                setattr(obj, name, value)
        # A foreign key set here holds a row just found by its natural key: Django's check that
        # it exists (a query per row) would only repeat that.
        found = [
            f.name
            for f in model._meta.concrete_fields
            if f.many_to_one and f.name in fields and fields[f.name] is not None
        ]
        try:
            obj.full_clean(exclude=found, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            raise ContentError(
                path, line, f"{model.__name__} {_describe(lookup)}: {_errors(exc)}"
            ) from None
        # Compared after full_clean, which turns values into their Python types ("2017" → 2017).
        state = "created" if created else ("updated" if _snapshot(obj) != before else "unchanged")
        if state != "unchanged":
            try:
                obj.save()
            except IntegrityError as exc:
                raise ContentError(
                    path, line, f"{model.__name__} {_describe(lookup)}: {exc}"
                ) from None
            self.report.record(model, state, _key(obj))
        self.report.saw(model)
        self.states[model, obj.pk] = state
        if m2m:
            pending_m2m.append((obj, m2m, line))

        for accessor, rows in children.items():
            relation = children_of[accessor]
            # Prefetched with the parent (load_document); a new parent has no children yet.
            had = {} if created else {c.position: c for c in _related(obj, accessor).all()}
            kept: list[int] = []
            for index, row in enumerate(rows, start=1):
                if not isinstance(row, dict):
                    raise ContentError(path, line, f"{accessor} item {index} is not a mapping")
                row.setdefault("position", index)
                child = self._save(
                    path, relation.related_model, row, (relation.field, obj), had, pending_m2m
                )
                if child.pk in kept:
                    raise ContentError(
                        path, row.get("__line__"), f"two {accessor} at position {row['position']}"
                    )
                kept.append(child.pk)
            # The file is the whole truth about an item's children: drop the ones it no longer
            # has.
            stale = [child for child in had.values() if child.pk not in kept]
            for child in stale:
                self.report.record(relation.related_model, "deleted", _key(child))
            if stale:
                relation.related_model._base_manager.filter(pk__in=[c.pk for c in stale]).delete()
        return obj

    def _set_m2m(self, path: Path, obj: models.Model, values: dict[str, list], line: int | None):
        for name, keys in values.items():
            model_field = obj._meta.get_field(name)
            targets = [self._lookup(path, line, model_field.related_model, key) for key in keys]
            if model_field.remote_field.symmetrical:
                self.symmetrical.setdefault(model_field, {})[obj] = {t.pk for t in targets}
                continue
            self._link(obj, name, {t.pk for t in targets})

    def set_symmetrical(self) -> None:
        """Links the rows of each symmetrical many-to-many to the ones they list and the ones
        that list them. All differences first: linking one row changes the other side too."""
        for model_field, listed in self.symmetrical.items():
            wanted = {obj.pk: set(pks) for obj, pks in listed.items()}
            for obj, pks in listed.items():
                for pk in pks:
                    wanted.setdefault(pk, set()).add(obj.pk)
            differ = [
                obj
                for obj in listed
                if {t.pk for t in _related(obj, model_field.name).all()} != wanted[obj.pk]
            ]
            for obj in differ:
                self._link(obj, model_field.name, wanted[obj.pk], check=False)

    def _link(self, obj: models.Model, name: str, pks: set[int], check: bool = True) -> None:
        manager = _related(obj, name)
        state = self.states[type(obj), obj.pk]
        if state != "created":
            if check and {t.pk for t in manager.all()} == pks:  # prefetched
                return
            if state == "unchanged":
                self.states[type(obj), obj.pk] = "updated"
                self.report.record(type(obj), "updated", _key(obj))
        manager.set(pks)

    def _lookup(
        self, path: Path, line: int | None, model: type[models.Model], key: Any
    ) -> models.Model:
        natural_key = tuple(key) if isinstance(key, list) else (key,)
        try:
            return self.targets[model, natural_key]
        except KeyError:
            pass
        except TypeError:  # a mapping where a key should be
            raise ContentError(path, line, f"no {model.__name__} {key!r}") from None
        # The default manager's natural-key lookup, run on the base manager: a default manager
        # may hide rows (drafts) that a file still names.
        get_by_natural_key = type(model._default_manager).get_by_natural_key
        try:
            target = get_by_natural_key(model._base_manager, *natural_key)
        except (ObjectDoesNotExist, TypeError, ValueError):
            raise ContentError(path, line, f"no {model.__name__} {key!r} (load order?)") from None
        self.targets[model, natural_key] = target
        return target

    def delete_unlisted(self) -> None:
        """Deletes the top-level rows of each model the files hold that no file lists. Last
        model first, so rows go before the ones they point to (terms before categories)."""
        for model, listed in reversed(self.listed.items()):
            stale = model._base_manager.exclude(slug__in=list(listed))
            slugs = sorted(stale.values_list("slug", flat=True))
            if not slugs:
                continue
            try:
                stale.delete()
            except ProtectedError as exc:
                path = next(iter(listed.values()))[0] if listed else Path(model._meta.label_lower)
                raise ContentError(
                    path, None, f"cannot delete {model.__name__} {', '.join(slugs)}: {exc.args[0]}"
                ) from None
            for slug in slugs:
                self.report.record(model, "deleted", slug)


def _settable_field(model: type[models.Model], name: str) -> models.Field | None:
    """The field a file's key names: a value field (not the id, not computed ones) or a
    many-to-many field declared on the model; None for anything else."""
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if model_field in m2m_fields(model):
        return model_field
    if model_field.concrete and model_field.editable and not model_field.primary_key:
        return model_field
    return None


def _a_list(path: Path, line: int | None, key: str, value: Any) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ContentError(path, line, f"{key} must be a list")
    return value


def _key_value(path: Path, line: int | None, model: type[models.Model], name: str, value: Any):
    """A natural-key value as the database holds it ("3" → 3 for a position)."""
    try:
        return model._meta.get_field(name).to_python(value)
    except ValidationError as exc:
        message = " ".join(exc.messages)
        raise ContentError(path, line, f"{model.__name__} {name}: {message}") from None


def _related(obj: models.Model, name: str) -> models.Manager:
    """The row's related manager (children, many-to-many) over every row: Django builds it from
    the default manager, which may hide drafts, and a link to a draft is content too."""
    return getattr(obj, name)(manager="_base_manager")


def _snapshot(obj: models.Model) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _key(obj: models.Model) -> str:
    """The row's natural key as text: "gpt-3", or "practice-quiz/2/3" for a choice."""
    return "/".join(str(part) for part in obj.natural_key())


def _describe(lookup: dict[str, Any]) -> str:
    return " ".join(
        f"{name}={_key(value) if isinstance(value, models.Model) else value!r}"
        for name, value in lookup.items()
    )


def _errors(exc: ValidationError) -> str:
    return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items())


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

    return not Section._base_manager.exists()


# Exporting ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """One document of a content file: a model's items, or those `where` picks when the items of
    one model are split over several files."""

    model: str
    where: Q = field(default_factory=Q)


# The files export writes, in load order: an FK or M2M names items of the same file or an
# earlier one.
EXPORT_LAYOUT: dict[str, tuple[Document, ...]] = {
    "00_sections.yaml": (Document("learning.section"),),
    "01_hero.yaml": (Document("learning.herostat"),),
    "05_resources.yaml": (Document("learning.resource"),),
    "10_pioneers.yaml": (Document("learning.pioneer"),),
    "11_papers.yaml": (Document("learning.paper"),),
    "15_architectures.yaml": (Document("learning.architecture"),),
    "20_roadmap.yaml": (Document("learning.roadmapstage"),),
    "25_concepts.yaml": (Document("learning.concept"),),
    "26_llm_steps.yaml": (Document("learning.llmstep"),),
    "27_pipeline.yaml": (Document("learning.pipelinestage"),),
    "30_learning_path.yaml": (Document("learning.learningpathstage"),),
    "31_system_types.yaml": (Document("learning.systemtype"),),
    "35_landscape.yaml": (Document("learning.modelfamily"),),
    "40_prompting.yaml": (Document("learning.promptexample"), Document("learning.prompttechnique")),
    "45_glossary.yaml": (Document("glossary.category"), Document("glossary.term")),
    # The brief's quizzes, then the topic quizzes (one per core concept and per architecture).
    "50_quizzes.yaml": (Document("quizzes.quiz", Q(concept=None, architecture=None)),),
    "51_topic_quizzes.yaml": (Document("quizzes.quiz", ~Q(concept=None, architecture=None)),),
}

FOLD_AT = 80  # longer prose is written as a folded block (`>-`)
WIDTH = 100  # folded blocks wrap before a word would cross this column
INLINE_AT = 72  # a list or mapping of scalars this short is written on one line


@dataclass
class ExportedFile:
    name: str
    rows: dict[str, int]  # model label → rows written (children included)
    changed: bool


@dataclass
class ExportReport:
    files: list[ExportedFile]
    others: list[str]  # *.yaml files of the directory that export did not write


def export_content(directory: Path = CONTENT_DIR) -> ExportReport:
    """Writes every content row to `directory`, one file per EXPORT_LAYOUT entry. A file's opening
    comment lines (notes for people, which the database does not hold) are kept; a file whose text
    is unchanged is not rewritten."""
    texts: dict[str, str] = {}
    rows: dict[str, dict[str, int]] = {}
    exported: dict[str, int] = {}
    for name, documents in EXPORT_LAYOUT.items():
        rows[name] = {}
        parts = []
        for document in documents:
            model = apps.get_model(document.model)
            items = [
                _Block(_export_row(model, obj, index, None, rows[name]))
                for index, obj in enumerate(_top_level_rows(model, document.where), start=1)
            ]
            exported[document.model] = exported.get(document.model, 0) + len(items)
            parts.append(_dump(_Block(model=model._meta.label_lower, items=items)))
        texts[name] = "---\n".join(parts)
    # Every row in exactly one file: a row no file holds would be lost, and deleted by import.
    for label, count in exported.items():
        total = apps.get_model(label)._base_manager.count()
        if count != total:
            raise ContentError(
                directory, None, f"{total} {label} rows, but the export layout holds {count}"
            )

    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for name, text in texts.items():
        path = directory / name
        text = _header(path) + text
        changed = not path.exists() or path.read_text(encoding="utf-8") != text
        if changed:
            path.write_text(text, encoding="utf-8")
        files.append(ExportedFile(name, rows[name], changed))
    others = [p.name for p in content_files(directory) if p.name not in EXPORT_LAYOUT]
    return ExportReport(files, others)


def _top_level_rows(model: type[models.Model], where: Q) -> list[models.Model]:
    rows = list(model._base_manager.filter(where).prefetch_related(*_prefetches(model)))
    # Sorted here rather than by the database, so that SQLite and PostgreSQL (whose collations
    # differ) give the same order: the model's Meta.ordering on its own fields, then the slug.
    rows.sort(key=lambda obj: obj.slug)
    for name in reversed(model._meta.ordering):
        if not isinstance(name, str) or name.lstrip("-") in ("pk", "?"):
            continue
        try:
            model_field = model._meta.get_field(name.lstrip("-"))
        except FieldDoesNotExist:
            continue  # a lookup across a relation
        if model_field.is_relation or model_field.primary_key:
            continue  # ordered by database ids, which differ from one database to another
        rows.sort(
            key=lambda obj, attname=model_field.attname: _sort_key(getattr(obj, attname)),
            reverse=name.startswith("-"),
        )
    return rows


def _prefetches(model: type[models.Model], prefix: str = "", parent_field=None) -> list[Prefetch]:
    """Every relation an exported row reads, so that the export makes a few queries per model
    rather than a few per row; over every row (base managers), drafts included."""
    relations = [f for f in value_fields(model, parent_field) if f.many_to_one]
    relations += m2m_fields(model)
    lookups = [
        Prefetch(prefix + f.name, queryset=f.related_model._base_manager.all()) for f in relations
    ]
    for accessor, relation in child_relations(model).items():
        child = relation.related_model
        lookups.append(Prefetch(prefix + accessor, queryset=child._base_manager.all()))
        lookups += _prefetches(child, f"{prefix}{accessor}__", relation.field)
    return lookups


def _export_row(
    model: type[models.Model],
    obj: models.Model,
    index: int,
    parent_field: models.Field | None,
    rows: dict[str, int],
) -> dict[str, Any]:
    """One item as the loader reads it: the slug first, then the fields in model order, leaving
    out what is at its default (position included: it defaults to the place in the list)."""
    label = model._meta.label_lower
    rows[label] = rows.get(label, 0) + 1
    row: dict[str, Any] = {}
    ordered = sorted(value_fields(model, parent_field), key=lambda f: f.name != "slug")
    for model_field in ordered:
        if model_field.name == "position":
            if obj.position != index:
                row["position"] = obj.position
        elif model_field.many_to_one:
            if getattr(obj, model_field.attname) != model_field.get_default():
                target = getattr(obj, model_field.name)
                row[model_field.name] = None if target is None else _natural_key(target)
        else:
            value = model_field.value_from_object(obj)
            default = model_field.get_default()
            if not (type(value) is type(default) and value == default):
                row[model_field.name] = _yaml_value(model_field, obj, value)
    for model_field in m2m_fields(model):
        keys = sorted(
            (target.natural_key() for target in getattr(obj, model_field.name).all()),
            key=lambda key: tuple(_sort_key(part) for part in key),
        )
        if keys:
            row[model_field.name] = [key[0] if len(key) == 1 else list(key) for key in keys]
    for accessor, relation in child_relations(model).items():
        children = sorted(
            getattr(obj, accessor).all(), key=lambda child: (child.position, child.pk)
        )
        if children:
            row[accessor] = [
                _export_row(relation.related_model, child, position, relation.field, rows)
                for position, child in enumerate(children, start=1)
            ]
    return row


def _natural_key(obj: models.Model) -> Any:
    key = obj.natural_key()
    return key[0] if len(key) == 1 else list(key)


def _yaml_value(model_field: models.Field, obj: models.Model, value: Any) -> Any:
    if isinstance(model_field, models.JSONField):
        return _sorted_json(value)
    if value is None or type(value) in (str, bool, int, float, datetime.date):
        return value
    return model_field.value_to_string(obj)  # datetimes, decimals, UUIDs: as Django writes them


def _sorted_json(value: Any) -> Any:
    """JSON with its object keys sorted: PostgreSQL's jsonb keeps no key order, so this is the
    order both databases agree on."""
    if isinstance(value, dict):
        return {key: _sorted_json(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted_json(v) for v in value]
    return value


def _sort_key(value: Any) -> tuple:
    return (value is None, "" if value is None else value)


def _header(path: Path) -> str:
    if not path.exists():
        return ""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if not line.startswith("#"):
            break
        lines.append(line)
    return "".join(lines)


class _Block(dict):
    """A mapping always written as a block: a document, and each of its items."""


class _Dumper(yaml.SafeDumper):
    """The content files' YAML style: lists indented under their key, one-line scalars never
    wrapped (only folded prose is)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True  # never `&id001` / `*id001`: each item is written out in full

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)

    def write_folded(self, text: str) -> None:
        # PyYAML breaks a line after the word that crosses the width; this breaks before it, so
        # lines stay within WIDTH. For prose of single spaces (which folds back exactly), the
        # only folded text the representer asks for; PyYAML writes anything else.
        if "  " in text or any(ch in text for ch in "\t\n\x85\u2028\u2029"):
            return super().write_folded(text)
        self.write_indicator(">" + self.determine_block_hints(text), True)
        self.write_line_break()
        self.write_indent()
        for number, word in enumerate(text.split(" ")):
            if number and self.column + 1 + len(word) > self.best_width:
                self.write_indent()
            elif number:
                word = " " + word
            self.stream.write(word)
            self.column += len(word)
        self.write_line_break()

    def write_plain(self, text: str, split: bool = True) -> None:
        return super().write_plain(text, split=False)

    def write_single_quoted(self, text: str, split: bool = True) -> None:
        return super().write_single_quoted(text, split=False)

    def write_double_quoted(self, text: str, split: bool = True) -> None:
        return super().write_double_quoted(text, split=False)


def _represent_str(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    style = None
    if "\n" in value:
        style = "|"
    elif len(value) > FOLD_AT and " " in value:
        style = ">"
    # PyYAML falls back to a quoted style where a block cannot hold the text exactly.
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _inline(value: dict | list) -> bool:
    """Whether a list or mapping is written on one line: empty, or short and of scalars only."""
    if not value:
        return True  # `[]`, `{}`
    if any(
        isinstance(v, (dict, list)) for v in (value.values() if isinstance(value, dict) else value)
    ):
        return False
    flow = yaml.dump(
        value,
        Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),  # libyaml's, when there, is faster
        default_flow_style=True,
        allow_unicode=True,
        width=1_000_000,
    )
    return len(flow.strip()) <= INLINE_AT


def _represent_list(dumper: _Dumper, value: list) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=_inline(value))


def _represent_dict(dumper: _Dumper, value: dict) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=_inline(value))


def _represent_block(dumper: _Dumper, value: _Block) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=False)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(_Block, _represent_block)


def _dump(document: dict) -> str:
    return yaml.dump(
        document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=WIDTH, indent=2
    )
