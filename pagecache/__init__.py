"""Anonymous page cache per site, purged exactly when content changes.

The public API lives in `pagecache.services`: `purge_page(schema, page)`,
`purge_paths(schema, paths)` and `purge_site(schema)`. See README "Page cache".
"""
