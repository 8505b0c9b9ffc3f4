"""The page cache on files (no Redis): bounded, without listing its directory on every store."""

import os
from unittest import mock

from django.core.cache.backends.filebased import FileBasedCache

from pagecache import filecache
from pagecache.filecache import PageFileCache


def test_the_directory_is_counted_once_in_a_hundred_stores_and_the_bound_holds(tmp_path):
    cache = PageFileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 150}})
    with (
        mock.patch.object(filecache, "_stores", iter(range(10**6))),
        mock.patch.object(
            FileBasedCache,
            "_list_cache_files",
            autospec=True,
            side_effect=FileBasedCache._list_cache_files,
        ) as listings,
    ):
        for n in range(1_000):
            cache.set(f"page-{n}", b"<html>")
    assert listings.call_count == 10  # Django's own lists it on all 1,000
    files = [name for name in os.listdir(tmp_path) if name.endswith(cache.cache_suffix)]
    # culled as Django culls, past the bound by at most the stores between two counts
    assert len(files) <= 150 + filecache.CHECK_EVERY
    assert cache.get("page-999") == b"<html>"
