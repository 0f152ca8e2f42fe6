"""Pool selectors, split by sub-domain."""
