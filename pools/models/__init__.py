"""Pool models, split by sub-domain: caller-ID carousels and call-tracking pools.

Each sub-domain module adds its import line here.
"""
