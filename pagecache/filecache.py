"""The page cache on files, where there is no Redis (the embedded default).

Django's FileBasedCache counts its files on every store to decide whether to cull: it lists
the whole directory each time. At 6,000 cached pages that cost 24-29 ms of CPU a store on this
machine, and about four times that at the 20,000-page bound, paid by the render that stores its
page, and growing with the number of sites served. Here the count is taken on one store in
CHECK_EVERY of each process, so the listing costs a store 1/CHECK_EVERY as much. A count that
finds the bound passed culls back to a third below it (Django culls a third of what is there,
which between sparse counts would let the cache settle above the bound): the cache never holds
more than MAX_ENTRIES plus CHECK_EVERY files a process.
"""

import itertools
import random

from django.core.cache.backends.filebased import FileBasedCache

CHECK_EVERY = 100

# Per process, not per cache object: Django makes a cache object per thread.
_stores = itertools.count()


class PageFileCache(FileBasedCache):
    def _cull(self):
        if next(_stores) % CHECK_EVERY:
            return
        files = self._list_cache_files()
        if len(files) < self._max_entries:
            return
        if self._cull_frequency == 0:
            return self.clear()
        keep = self._max_entries - self._max_entries // self._cull_frequency
        for name in random.sample(files, len(files) - keep):
            self._delete(name)
