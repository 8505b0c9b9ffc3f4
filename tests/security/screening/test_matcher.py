"""The matcher alone: overlapping terms, mixed scripts and widths, exact offsets."""

from security.screening.matcher import ALLOW, Entry, Matcher, fold


def spans(matcher, text):
    return [(text[h.start : h.end], h.start, h.end, h.entry.term) for h in matcher.find(text)]


def test_overlapping_and_nested_terms_are_all_reported_in_order():
    m = Matcher([Entry("乌海市", "k"), Entry("海市", "k"), Entry("市人民政府", "k")])
    text = "关于乌海市人民政府的通知"
    assert spans(m, text) == [
        ("乌海市", 2, 5, "乌海市"),
        ("海市", 3, 5, "海市"),
        ("市人民政府", 4, 9, "市人民政府"),
    ]


def test_traditional_and_full_width_text_maps_back_to_the_original_offsets():
    m = Matcher([Entry("乌海市", "k"), Entry("ABC公司", "k")])
    text = "前言：烏海市與ＡＢＣ公司"
    assert spans(m, text) == [("烏海市", 3, 6, "乌海市"), ("ＡＢＣ公司", 7, 12, "ABC公司")]


def test_terms_written_in_traditional_or_full_width_match_simplified_text():
    m = Matcher([Entry("烏海", "k"), Entry("ｘｙ", "k")])
    assert spans(m, "乌海 xy") == [("乌海", 0, 2, "烏海"), ("xy", 3, 5, "ｘｙ")]


def test_spaces_and_zero_width_characters_inside_a_term_do_not_hide_it():
    m = Matcher([Entry("法轮功", "k")])
    text = "甲 法 轮\u200b功乙"
    assert spans(m, text) == [("法 轮\u200b功", 2, 7, "法轮功")]


def test_a_wrong_form_inside_its_correct_form_is_not_a_finding():
    m = Matcher([Entry("市长张三", "t"), Entry("副市长张三", ALLOW)])
    assert spans(m, "副市长张三出席") == []
    assert spans(m, "市长张三出席") == [("市长张三", 0, 4, "市长张三")]


def test_the_same_words_in_two_entries_give_two_hits():
    m = Matcher([Entry("词", "a"), Entry("词", "b")])
    assert [h.entry.kind for h in m.find("一词")] == ["a", "b"]


def test_fold_keeps_one_character_per_character():
    folded, positions = fold("ＡＢ烏")
    assert folded == "ab乌" and positions is None
    assert fold("a b")[0] == "ab" and fold("a b")[1] == [0, 2]


def test_empty_dictionary_and_empty_text():
    assert Matcher([]).find("任何") == []
    assert not Matcher([Entry("  ", "k")])
    assert Matcher([Entry("x", "k")]).find("") == []
