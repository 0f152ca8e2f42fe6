"""Template filters for long addresses (URLs) shown in narrow boxes."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def break_after_slashes(address: str) -> SafeString:
    """``address`` with a line-break opportunity after each "/", so a narrow box wraps it between path
    segments instead of mid-word (CSS alone breaks a URL anywhere or nowhere)."""
    return mark_safe(conditional_escape(address).replace("/", "/<wbr>"))
