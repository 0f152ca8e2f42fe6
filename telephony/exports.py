"""Spreadsheet exports: the one guard against formula injection."""

# A cell starting with one of these is run as a formula by spreadsheet
# programs; a leading ' makes it text (phone numbers included: "+44…" shows
# as written instead of losing its plus).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: object) -> str:
    """``value`` as text, prefixed with ``'`` when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
