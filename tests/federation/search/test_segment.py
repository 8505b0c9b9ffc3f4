"""The search's word cutter (rjieba, jieba's algorithm in Rust) gives the words the Python jieba
gives: for Chinese text, and for the runs of letters, digits and signs between it that the two
treat differently unless `segment.cut` splits them. Held to jieba so that an upgrade of either
that changes the words is seen here, not as searches that stop finding things."""

import logging
import re
from pathlib import Path

import jieba
import pytest

from federation.search import segment

ROOT = Path(__file__).resolve().parents[3]
# The platform's own Chinese: the demo city's pages and notices, labels, templates, the README.
CORPUS_FILES = [
    *(
        path
        for package in ("sites", "federation", "security", "tenants", "templates")
        for path in (ROOT / package).rglob("*")
        if path.suffix in (".py", ".html")
    ),
    ROOT / "README.md",
]
MIXED = [
    "COVID-19疫情期间 3.5% 的增长，详见 www.wuhai.gov.cn/zwgk/index.html",
    "a..b C++ C# zh-hant 2024-12-01 website.legal_name  x\r\ny\t z",
    "乌海发〔2024〕12号、乌海发[2024]12号 和 乌海发（2024）12号",
    "卡拉OK B超 T恤 iPhone15 5G网络 ＣＯＶＩＤ１９ 3×4=12 ½",
    "{card.day:%m-%d} 评估 {card.score} 分；联系电话：0473-1234567；邮箱 zwgk@wuhai.gov.cn",
]


@pytest.fixture(scope="module")
def reference():
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


@pytest.fixture(scope="module")
def corpus():
    texts = list(MIXED)
    for path in CORPUS_FILES:
        texts += re.findall(r"[^\n\"'<>]*[\u3400-\u9fff][^\n\"'<>]*", path.read_text())
    assert sum(map(len, texts)) > 50_000, "the corpus lost its files"
    return texts


def test_the_words_are_jiebas(reference, corpus):
    differing = [
        (text, segment.cut(text), list(reference.cut(text)))
        for text in corpus
        if segment.cut(text) != list(reference.cut(text))
    ]
    assert not differing, f"{len(differing)} of {len(corpus)} texts cut otherwise: {differing[:3]}"


def test_the_dictionary_is_jiebas(reference, corpus):
    grams = {
        word[i : i + n]
        for text in corpus
        for word in segment.cut(text)
        for n in (2, 3)
        for i in range(len(word) - n + 1)
    }
    differing = [g for g in grams if segment.is_word(g) != bool(reference.dt.FREQ.get(g))]
    assert len(grams) > 1000
    assert not differing, differing[:20]


def test_runs_of_letters_are_split_as_jieba_splits_them():
    assert segment.cut("website.legal_name zh-hant") == [
        "website",
        ".",
        "legal",
        "_",
        "name",
        " ",
        "zh",
        "-",
        "hant",
    ]
    assert segment.cut("C++ 3.5%") == ["C++", " ", "3.5%"]


def test_a_long_word_indexes_its_dictionary_subwords_at_its_position():
    terms, last = segment.index_terms("保障人民群众生命财产安全")
    assert terms["生命财产"] == terms["生命"] == terms["财产"] == [4]
    assert terms["安全"] == [5]
    assert last == 5
