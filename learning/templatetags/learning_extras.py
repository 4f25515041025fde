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
