"""Bad input never produces a server error nor grows the page cache without bound."""

import random
import string

import pytest

from .helpers import fetch, warm

pytestmark = pytest.mark.django_db


def entries(cache):
    return [k for k in cache._cache if ":pc:v:" in k]


def test_unknown_host_gets_the_404_page_and_leaves_the_cache_alone(client, pagecache, alpha):
    response = fetch(client, "no-such-site.localhost", "/")
    assert response.status_code == 404
    assert "no-such-site.localhost" in response.content.decode()
    assert list(pagecache._cache) == []  # nothing written: no host, no token, no page


def test_forged_forwarded_host_is_ignored(client, pagecache, alpha, beta):
    alpha_host, beta_host = alpha.primary_domain, beta.primary_domain
    alpha_home = warm(client, alpha_host, "/")
    forged = fetch(client, alpha_host, "/", HTTP_X_FORWARDED_HOST=beta_host)
    assert forged.content == alpha_home.content
    assert (
        fetch(client, "evil.example.com", "/", HTTP_X_FORWARDED_HOST=alpha_host).status_code == 404
    )
    assert beta.legal_name not in forged.content.decode()


def test_huge_query_strings_and_paths_are_answered_not_cached(client, pagecache, alpha):
    host = alpha.primary_domain
    warm(client, host, "/")
    long_query = "?" + "&".join(f"k{i}={'x' * 50}" for i in range(900))
    response = fetch(client, host, "/" + long_query)
    assert response.status_code == 200 and response["X-Page-Cache"] == "bypass"
    # Beyond DATA_UPLOAD_MAX_NUMBER_FIELDS Django answers 400 (not 500), and nothing is stored.
    too_many = "?" + "&".join(f"k{i}={'x' * 50}" for i in range(2000))
    assert fetch(client, host, "/" + too_many).status_code == 400
    assert fetch(client, host, "/" + "a" * 5000 + "/").status_code == 404
    assert fetch(client, host, "/?page=" + "9" * 10000).status_code == 200
    assert len(entries(pagecache)) == 1


def test_thousands_of_random_urls_do_not_grow_the_cache(client, pagecache, alpha, beta):
    rng = random.Random(5)
    hosts = [alpha.primary_domain, beta.primary_domain]
    for host in hosts:
        warm(client, host, "/")
    before = len(pagecache._cache)

    def word(n):
        return "".join(rng.choices(string.ascii_lowercase + string.digits, k=n))

    statuses = set()
    for i in range(1000):
        kind = i % 4
        host = hosts[i % 2]
        if kind == 0:
            path = f"/{word(12)}/"
        elif kind == 1:
            path = f"/?{word(4)}={word(8)}"
        elif kind == 2:
            path = f"/?page={rng.randint(1, 9999)}&{word(3)}=1"
        else:
            path = f"/{word(6)}/{word(6)}/?page={rng.randint(1, 50)}"
        statuses.add(fetch(client, host, path).status_code)
    assert statuses <= {200, 404}
    assert len(pagecache._cache) == before


def test_page_numbers_a_listing_does_not_have_are_not_stored(client, pagecache, alpha, in_site):
    from .helpers import add_article, column

    host = alpha.primary_domain
    with in_site(alpha):
        news = column("gzdt")
        add_article(news)
        news_path = news.url
    warm(client, host, news_path + "?page=1")
    before = len(entries(pagecache))
    for page in range(2, 60):
        assert fetch(client, host, news_path + f"?page={page}").status_code == 200
        assert fetch(client, host, f"/?page={page}").status_code == 200
    assert len(entries(pagecache)) == before
