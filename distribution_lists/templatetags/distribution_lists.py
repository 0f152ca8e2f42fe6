from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict, key: str) -> object:
    """``{{ contact.variables|get_item:name }}``: a variable by a name held in another variable."""
    return mapping.get(key, "") if isinstance(mapping, dict) else ""
