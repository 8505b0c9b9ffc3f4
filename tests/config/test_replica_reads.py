"""Public reads from a streaming replica (config.replica), fresh after a publish.

A throwaway primary (initdb) gets a copy of the test database's platform, `alpha` and `beta`; a
replica is made from its base backup, and gunicorn serves with DATABASE_URL on the primary
and DATABASE_REPLICA_URL on the replica. Replay on the replica is paused to make its lag as
long as the test needs.
"""

import contextlib
import subprocess
import sys
import time
from urllib.parse import quote

import psycopg
import pytest
from django.core.cache.backends.filebased import FileBasedCache
from django.db import connection

from tests.deployment import (
    BASE_DIR,
    committed_sites,
    database_url,
    fetch,
    free_port,
    gunicorn,
    primary_with_replica,
    serve_environment,
)

pytestmark = pytest.mark.deployment

ALPHA = "alpha.localhost"
# An undeclared query parameter: rendered on every request, never stored in the page cache.
UNCACHED = "/gzdt/?probe={}"


@pytest.fixture
def sites(django_db_setup, django_db_blocker):
    with committed_sites(django_db_blocker) as found:
        yield found


def sql(db: dict, statement: str, params=()):
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], dbname=db["NAME"], user=db["USER"], autocommit=True
    ) as conn:
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def column_title_is(db: dict, title: str) -> None:
    # Written on the primary without going through Wagtail: no purge, no recorded write.
    sql(db, "UPDATE alpha.wagtailcore_page SET title = %s WHERE slug = 'gzdt'", [title])


def wait_for(check, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(0.2)


@contextlib.contextmanager
def served_from_primary_and_replica(tmp_path, **settings):
    """gunicorn on a throwaway primary (alpha, beta and the platform copied in) with a
    streaming replica for its public reads: yields (port, its environment, primary, replica)."""
    major = connection.pg_version // 10000
    with primary_with_replica(
        connection.settings_dict, ["public", "alpha", "beta"], major=major
    ) as (primary, replica):
        env = serve_environment(
            database_url(primary), DATABASE_REPLICA_URL=database_url(replica), **settings
        )
        port = free_port(8176, 8179)  # the web-node test (maybe running beside) uses 8170–8175
        with gunicorn(port, env, log=tmp_path / "gunicorn.log"):
            yield port, env, primary, replica


def test_public_reads_come_from_the_replica_and_a_published_page_is_fresh_within_its_lag(
    sites, tmp_path
):
    # The page cache's folder is shared by the server and the publisher.
    with served_from_primary_and_replica(tmp_path, PAGECACHE_DIR=str(tmp_path / "pages")) as (
        port,
        env,
        primary,
        replica,
    ):
        status, _, _ = fetch(port, ALPHA, "/")
        assert status == 200

        # 1. Public reads come from the replica: a change the replica has not replayed
        # (replay paused) is not on the page.
        sql(replica, "SELECT pg_wal_replay_pause()")
        column_title_is(primary, "探针一")
        status, _, page = fetch(port, ALPHA, UNCACHED.format(1))
        assert status == 200 and "探针一" not in page

        # 2. Published on the primary while the replica lags: the purge records the
        # primary's WAL position, and alpha's reads stay on the primary until the replica
        # has replayed it.
        published = subprocess_publish(env, "复制延迟期间发布的通知")
        assert sql(replica, "SELECT count(*) FROM alpha.wagtailcore_page WHERE title = %s",
                   ["复制延迟期间发布的通知"]) == [(0,)]  # fmt: skip
        status, _, page = fetch(port, ALPHA, published)
        assert status == 200 and "复制延迟期间发布的通知" in page
        _, _, listing = fetch(port, ALPHA, "/gzdt/")  # the purged column listing
        assert "复制延迟期间发布的通知" in listing and "探针一" in listing

        # 3. Once the replica has replayed the publish, reads go back to it.
        # (Everything the publish wrote: the page, its library item, its search row.)
        written = sql(primary, "SELECT pg_current_wal_lsn()::text")[0][0]
        sql(replica, "SELECT pg_wal_replay_resume()")
        wait_for(
            lambda: sql(replica, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [written])[0][0],
            "the replica replaying the publish",
        )
        status, _, page = fetch(port, ALPHA, "/search/?q=" + quote("复制延迟期间发布的通知"))
        assert status == 200 and "复制延迟期间发布的通知" in page  # the search, on the replica
        sql(replica, "SELECT pg_wal_replay_pause()")
        column_title_is(primary, "探针二")  # not replayed: seen only on the primary
        status, _, page = fetch(port, ALPHA, UNCACHED.format(2))
        assert status == 200 and "探针一" in page and "探针二" not in page
        assert "复制延迟期间发布的通知" in page
        # The replica's connection follows the site: beta's home page, served right after
        # alpha's column by the same server, shows beta's rows, not alpha's.
        status, _, page = fetch(port, "beta.localhost", "/?probe=beta")
        assert status == 200 and "乌海市乙局" in page
        assert "乌海市甲区人民政府" not in page and "探针一" not in page
        status, _, page = fetch(port, ALPHA, UNCACHED.format("alpha-again"))
        assert status == 200 and "探针一" in page
        # Signed-in people (a session cookie) and the admin read from the primary.
        _, _, page = fetch(port, ALPHA, UNCACHED.format(3), {"Cookie": "jiyue_session=x"})
        assert "探针二" in page
        sql(replica, "SELECT pg_wal_replay_resume()")


def subprocess_publish(env: dict, title: str) -> str:
    """Publish an article in alpha on the primary, as an editor's publish does (a separate
    process, like another web node); returns its URL path."""
    code = (
        "from django_tenants.utils import schema_context; from tenants import services; "
        "from tests.factories import make_article; "
        f"page = make_article(services.get_site('alpha'), {title!r}, '正文'); "
        "schema_context('alpha').__enter__(); print('URL', page.get_url())"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    urls = [line.split(" ", 1)[1] for line in out.stdout.splitlines() if line.startswith("URL ")]
    assert out.returncode == 0 and urls, out.stderr[-3000:]
    return urls[0]


# A small page cache: the file cache culls a random third of its files at this many.
CULL_AT = 10


def test_a_write_is_not_forgotten_when_the_page_cache_fills_up(sites, tmp_path):
    """The write positions once lived in the page cache, where the cull could take them: the
    next reads of the site then went to a replica that had not replayed the write."""
    pages = tmp_path / "pages"
    with served_from_primary_and_replica(
        tmp_path, PAGECACHE_DIR=str(pages), PAGECACHE_MAX_ENTRIES=str(CULL_AT)
    ) as (port, env, _primary, replica):
        assert fetch(port, ALPHA, "/")[0] == 200
        sql(replica, "SELECT pg_wal_replay_pause()")
        try:
            published = subprocess_publish(env, "缓存写满之后仍然新鲜的通知")
            # Other pages fill the page cache (the same files, as another web process
            # stores them): every write past CULL_AT files culls a random third of them,
            # ~60 culls here, which an entry survives about once in 10^10.
            others = FileBasedCache(
                str(pages), {"KEY_PREFIX": "jiyue-pages", "OPTIONS": {"MAX_ENTRIES": CULL_AT}}
            )
            for n in range(20 * CULL_AT):
                others.set(f"another-page-{n}", "<html>…</html>", 3600)
            assert len(list(pages.glob("*.djcache"))) <= CULL_AT  # it was full, and culled
            status, _, page = fetch(port, ALPHA, published)
            assert status == 200 and "缓存写满之后仍然新鲜的通知" in page
            _, _, listing = fetch(port, ALPHA, "/gzdt/")
            assert "缓存写满之后仍然新鲜的通知" in listing
        finally:
            sql(replica, "SELECT pg_wal_replay_resume()")
