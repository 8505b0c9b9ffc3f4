"""Where each site's last write is in the primary's WAL (config.replica), one row per site.

A table on the primary rather than a cache: a cache may drop an entry (the file cache culls a
random third of its files when full, Redis evicts under allkeys-lru, a restart empties it), and
a dropped position silently sends the site's next reads to a replica that has not replayed its
write: the purged page is rendered from old rows and cached again for PAGECACHE_TIMEOUT. Rows
here go only with the database itself, that is with the writes they describe (a restored or
promoted primary has the positions of the writes it has). At most one row per site plus one
for writes every site shows (ALL_SITES): ~1,000 rows at 1,000 sites, never expired (a
position the replica has passed costs nothing). What a table cannot close either: a process
that dies between its commit and recording the position (as before).
"""

from django.db import models


class WalPosition(models.Field):
    """PostgreSQL's pg_lsn ('16/B374D848'), read and written as its text."""

    description = "A position in PostgreSQL's write-ahead log"

    def db_type(self, connection):
        return "pg_lsn"


class WritePosition(models.Model):
    site = models.CharField(max_length=63, primary_key=True)  # a schema name, or ALL_SITES
    position = WalPosition()

    class Meta:
        db_table = "replica_write_position"

    def __str__(self):
        return f"{self.site} @ {self.position}"
