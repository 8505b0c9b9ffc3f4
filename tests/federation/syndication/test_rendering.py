"""Links in a syndicated body point at the source site: what a regex over the markup got wrong."""

from types import SimpleNamespace

import pytest

from federation.syndication.rendering import absolutize

ALPHA = SimpleNamespace(primary_domain="alpha.localhost")


@pytest.fixture(autouse=True)
def _plain_port(settings):
    settings.SITE_PUBLIC_PORT = 80


def test_double_and_single_quoted_and_unquoted_attributes_are_all_made_absolute():
    html = """<p><a href="/gzdt/">甲</a><a href='/tzgg/'>乙</a><img src=/media/x.png alt=图></p>"""
    assert absolutize(html, ALPHA) == (
        '<p><a href="http://alpha.localhost/gzdt/">甲</a><a href="http://alpha.localhost/tzgg/">乙</a>'
        '<img src="http://alpha.localhost/media/x.png" alt="图"></p>'
    )


def test_every_candidate_of_a_srcset_is_made_absolute_and_keeps_its_descriptor():
    html = '<img src="/media/a.png" srcset="/media/a.png 1x, /media/b.png 2x, https://cdn.example.cn/c.png 3x">'
    assert (
        'srcset="http://alpha.localhost/media/a.png 1x, http://alpha.localhost/media/b.png 2x, '
        'https://cdn.example.cn/c.png 3x"' in absolutize(html, ALPHA)
    )


def test_text_that_looks_like_an_attribute_is_left_as_written():
    html = """<p>示例写法：src='/x.png' 或 href="/y/"</p><pre> <a href="/z/"></pre>"""
    out = absolutize(html, ALPHA)
    assert "src='/x.png'" in out and 'href="/y/"' in out  # text, not attributes
    assert "http://alpha.localhost/x.png" not in out and "http://alpha.localhost/y/" not in out


def test_absolute_protocol_relative_and_fragment_links_are_kept_and_a_body_without_links_is_unchanged():
    html = '<a href="https://www.gov.cn/">国务院</a><a href="//cdn.example.cn/a.js">x</a><a href="#top">顶部</a>'
    assert absolutize(html, ALPHA) == html
    plain = "开头的文字 &amp; <b>粗体</b>，结尾&nbsp;"
    assert absolutize(plain, ALPHA) == plain


def test_text_before_the_first_element_and_comments_survive_the_rewrite():
    html = "导语 &lt;注意&gt; <!-- 编者注 --><a href='/gzdt/'>链接</a> 结尾"
    assert absolutize(html, ALPHA) == (
        '导语 &lt;注意&gt; <!-- 编者注 --><a href="http://alpha.localhost/gzdt/">链接</a> 结尾'
    )
