from evals import text


def test_sentences_split_lines_lists_and_sentence_ends() -> None:
    answer = "# Leave\nYou get 25 days [1]. It is pro-rated [2].\n- Carry over 5 days [1]\n"
    assert text.sentences(answer) == [
        "You get 25 days [1].",
        "It is pro-rated [2].",
        "Carry over 5 days [1]",
    ]


def test_citation_markers_are_read_and_stripped() -> None:
    assert text.cited_numbers("Yes [2, 3] and no [2][4].") == [2, 3, 4]
    assert text.strip_citations("Yes [2, 3] and no [1].") == "Yes and no."


def test_claims_drop_fragments_but_keep_a_bare_answer() -> None:
    assert text.claims("Yes. The office opens at 8:00 on weekdays.") == [
        "The office opens at 8:00 on weekdays."
    ]
    assert text.claims("Yes.") == ["Yes."]
    assert text.claims("") == []
    assert text.claims("  [1] ") == []


def test_phrases_match_whole_words_ignoring_case_and_punctuation() -> None:
    assert text.contains_phrase("The code is QUILL26.", "quill26")
    assert text.contains_phrase("costs £3,500 per month", "£3,500")
    assert not text.contains_phrase("Routewiseness", "Routewise")
    assert not text.contains_phrase("anything", "")


def test_a_number_in_words_matches_its_digits() -> None:
    assert text.contains_phrase("a conversation at least every six months", "6 months")
    assert text.contains_phrase("up to 5 days", "five days")
    assert not text.contains_phrase("every sixteen months", "6 months")


def test_key_terms_are_numbers_and_names_not_sentence_starts() -> None:
    terms = text.key_terms("The Bristol office has 1,000 desks since 2013.")
    assert terms == {"bristol", "1000", "2013"}
    assert "three" not in text.key_terms("Three days.")
    assert "3" in text.context_terms("three days")


def test_footnoted_sentences_and_inline_bullets_split() -> None:
    answer = "Base is 25 days [1]. date | office [4]. • Submit claims within 30 days [2]."
    assert text.sentences(answer) == [
        "Base is 25 days [1].",
        "date | office [4].",
        "Submit claims within 30 days [2].",
    ]


def test_hyphenated_names_match_context_words() -> None:
    claim = "Engineers join the rota under the On-call policy using WireGuard-based VPN."
    assert text.key_terms(claim) <= text.context_terms("on call policy: a wireguard based vpn")
