"""DisplayMap: every document offset survives a round trip; inserted characters map sensibly."""

from __future__ import annotations

from desktop_app.display_text import _paragraph_piece, build_display
from desktop_app.readability.segmentation import Paragraph, Readable, Sentence, segment

DOC = "so what do you think  about that\ni think it's great and we should do it ok"


def hand_readable() -> Readable:
    second, third = DOC.index("i think"), DOC.index("do it")
    s1 = Sentence(0, DOC.index("\n"), "?")
    s2 = Sentence(second, DOC.index(" do it"), ".")
    s3 = Sentence(third, len(DOC), ".")
    return Readable(
        paragraphs=(Paragraph(0, s1.end, (s1,)), Paragraph(second, len(DOC), (s2, s3))),
        commas=(len("so what do you"),),
        capitalize=(0, second, third),
    )


def test_display_text_has_capitals_marks_commas_and_paragraph_breaks() -> None:
    display = build_display(DOC, hand_readable())
    assert display.text == "So what do you, think  about that?\nI think it's great and we should. Do it ok."
    assert display.paragraph_starts == (0, display.text.index("I think"))


def test_every_document_offset_round_trips() -> None:
    display = build_display(DOC, hand_readable())
    for offset in range(len(DOC) + 1):
        if DOC[offset - 1 : offset] == "\n":
            continue  # the paragraph separator itself is not displayed
        assert display.map.to_doc(display.map.to_display(offset)) == offset


def test_displayed_characters_come_from_their_document_offsets() -> None:
    display = build_display(DOC, hand_readable())
    for position, char in enumerate(display.text):
        if char in ",.?\n":
            continue
        assert DOC[display.map.to_doc(position)].lower() == char.lower().replace(
            " ", DOC[display.map.to_doc(position)]
        )


def test_selection_of_displayed_words_maps_to_the_same_words() -> None:
    display = build_display(DOC, hand_readable())
    start = display.text.index("I think")
    end = display.text.index("great") + len("great")
    doc_start, doc_end = display.map.range_to_doc(start, end)
    assert DOC[doc_start:doc_end] == "i think it's great"


def test_seed_round_trip(seed_text: str) -> None:
    readable = segment(seed_text)
    display = build_display(seed_text, readable)
    mapping = display.map
    for paragraph in readable.paragraphs:
        for offset in range(paragraph.start, paragraph.end + 1):
            assert mapping.to_doc(mapping.to_display(offset)) == offset
    words_doc = seed_text.split()
    words_display = display.text.split()
    assert len(words_doc) == len(words_display)
    for doc_word, shown in zip(words_doc, words_display, strict=True):
        assert shown.lower().rstrip(".,?!") == doc_word.lower().rstrip(".,?!")


def test_a_range_ending_at_a_sentence_end_excludes_the_inserted_mark() -> None:
    display = build_display(DOC, hand_readable())
    end = DOC.index("\n")
    start = DOC.index("about that")
    a, b = display.map.range_to_display(start, end)
    assert display.text[a:b] == "about that"
    a, b = display.map.range_to_display(DOC.index("do it"), len(DOC))
    assert display.text[a:b] == "Do it ok"


def test_speaker_labels_are_display_text_only() -> None:
    from desktop_app.readability.segmentation import Paragraph, Readable, Sentence

    doc = "so what do you think i think it is good yes it is"
    cuts = [0, doc.index("i think"), doc.index("yes")]
    ends = [*cuts[1:], len(doc)]
    paragraphs = tuple(
        Paragraph(a, b - (1 if b < len(doc) else 0), (Sentence(a, b - (1 if b < len(doc) else 0), ""),))
        for a, b in zip(cuts, ends, strict=True)
    )
    readable = Readable(paragraphs=paragraphs)
    display = build_display(doc, readable, ["Lex", "Mark", "Mark"])
    shown = [display.text[a:b] for a, b in display.labels]
    assert shown == ["Lex", "Mark"]  # a label where the speaker changes, none for the same speaker again
    assert display.text.split("\n")[1].startswith("Mark\u2003i think")
    for paragraph in readable.paragraphs:  # document offsets are unaffected
        start = display.map.to_display(paragraph.start)
        assert display.map.to_doc(start) == paragraph.start
        assert display.text[start : start + 3].lower() == doc[paragraph.start : paragraph.start + 3]
    label_start, label_end = display.labels[1]
    assert display.map.range_to_doc(label_start, label_end)[0] <= readable.paragraphs[1].start


def test_a_speaker_s_full_name_is_capitalised_where_captions_write_it_in_lower_case() -> None:
    """Under the label "Peter Norvig" the captions read "a conversation with peter norvig"."""
    doc = "the following is a conversation with peter norvig\nthank you peter norvig is my name said norvig"
    cut = doc.index("thank")
    readable = Readable(
        paragraphs=(
            Paragraph(0, cut - 1, (Sentence(0, cut - 1, "."),)),
            Paragraph(cut, len(doc), (Sentence(cut, len(doc), "."),), "Peter Norvig"),
        ),
        capitalize=(0, cut),
    )
    display = build_display(doc, readable, ["Host", "Peter Norvig"])
    assert display.text.split("\n") == [
        "Host\u2003The following is a conversation with Peter Norvig.",
        "Peter Norvig\u2003Thank you Peter Norvig is my name said norvig.",
    ]
    offset = doc.index("peter norvig\nthank")
    assert display.map.to_doc(display.map.to_display(offset)) == offset  # positions are unchanged
    plain = build_display(doc, readable, ["Host", "Host"])  # "Host" is no name to capitalise
    assert "Peter" in plain.text  # the readable's own speakers still name him


def test_paragraph_piece_capitalises_in_place_and_keeps_the_length() -> None:
    doc = "xx straße\tand\nße ok"
    # offsets outside [3, len) are ignored; "ß" upper-cases to "SS" (two characters) and is left as it is
    piece = _paragraph_piece(doc, 3, len(doc), {0, 3, doc.index("and"), doc.index("ße"), len(doc)})
    assert piece == "Straße And ße ok"
    assert len(piece) == len(doc) - 3
    assert _paragraph_piece(doc, 3, 3, {3}) == ""
