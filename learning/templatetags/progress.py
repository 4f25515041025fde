from django import template

from learning.progress import kind_of
from learning.progress_views import controls_context

register = template.Library()


@register.inclusion_tag("includes/progress_controls.html", takes_context=True)
def progress_controls(context, obj, kind: str = ""):
    """The learned / bookmark buttons for a content item (state read once per request)."""
    return controls_context(context["request"], kind or kind_of(obj), obj.pk)
