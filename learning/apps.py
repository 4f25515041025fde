from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class LearningConfig(AppConfig):
    name = "learning"

    def ready(self) -> None:
        from genai_site.page_cache import content_changed

        # Any write to content (admin, API, import) moves the content version, so anonymous
        # pages cached before it are no longer served. The receiver filters by model.
        for name, signal in (
            ("post_save", post_save),
            ("post_delete", post_delete),
            ("m2m_changed", m2m_changed),
        ):
            signal.connect(content_changed, dispatch_uid=f"content-version-{name}")
