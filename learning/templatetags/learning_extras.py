from django import template

register = template.Library()


@register.filter
def mul(value, factor):
    """Multiplies two numbers (for SVG coordinates computed from a position)."""
    return int(value) * int(factor)


@register.filter
def percent(value, digits: int = 1) -> str:
    """0.4903 → "49.0%"; very small shares print as "<0.1%" rather than a misleading 0."""
    share = float(value) * 100
    floor = 10 ** -int(digits)
    if 0 < share < floor:
        return f"<{floor:g}%"
    if 100 - floor < share < 100:
        return f">{100 - floor:g}%"
    return f"{share:.{int(digits)}f}%"


@register.filter
def at(sequence, index):
    """The item at `index` of a list, or "" past its end."""
    try:
        return sequence[int(index)]
    except (IndexError, TypeError, ValueError):
        return ""


@register.filter
def get(mapping, key):
    """mapping[key], or None (for dictionaries keyed by id in templates)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def level(heatmap, count):
    """The heatmap's colour strength for a day's count (0 to 1)."""
    return heatmap.level(count)


@register.filter
def peak(pairs) -> int:
    """The largest count of (label, count) pairs (at least 1, for scaling a bar chart)."""
    return max([n for _, n in pairs] + [1])


@register.filter
def bar_height(count, peak_value) -> int:
    """A bar's height in a 100-unit-tall chart."""
    return round(100 * int(count) / max(int(peak_value), 1))


@register.filter
def bar_top(count, peak_value) -> int:
    return 120 - bar_height(count, peak_value)


@register.filter
def with_links(text, links):
    """The text with its stored glossary links (see glossary.autolink)."""
    from glossary.autolink import render_with_links

    return render_with_links(text or "", links)
