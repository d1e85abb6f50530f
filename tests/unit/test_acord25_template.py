"""The 2016/03 template and the registration of a page to it (pure: no shared corpus)."""

from pipeline.acord25.template import load, register
from pipeline.textlayer import Page, Word


def _page(template, dx=0.0, dy=0.0, lower_table=0.0, extra=()):
    words = [Word(t, x0 + dx, y0 + dy + (lower_table if y0 > 286 else 0), x1 + dx, y1 + dy + (lower_table if y0 > 286 else 0))
             for t, x0, y0, x1, y1 in template.printed]
    return Page(number=1, width=612, height=792, words=[*words, *extra], marks=[])


def test_given_the_blank_shifted_when_registered_then_every_block_finds_the_shift():
    template = load("2016/03")
    reg = register(_page(template, dx=2.0, dy=-1.5), template)
    for fit in reg.blocks.values():
        assert abs(fit.transform.tx - 2.0) < 0.2 and abs(fit.transform.ty + 1.5) < 0.2 and fit.residual < 0.5


def test_given_a_coverage_table_12pt_lower_when_registered_per_block_then_only_that_block_moves():
    template = load("2016/03")
    reg = register(_page(template, lower_table=12.0), template)
    assert abs(reg.fit("coverages").transform.ty - 12.0) < 0.2
    assert abs(reg.fit("producer").transform.ty) < 0.2


def test_given_a_value_among_the_labels_then_only_the_labels_are_print():
    template = load("2016/03")
    value = Word("ACME", 100.0, 135.0, 130.0, 143.0)
    page = _page(template, extra=(value,))
    reg = register(page, template)
    assert len(page.words) - 1 not in reg.printed_words
    assert len(reg.printed_words) >= 0.95 * len(template.printed)


def test_given_a_page_of_other_words_then_it_does_not_register():
    template = load("2016/03")
    page = Page(number=1, width=612, height=792, words=[Word("hello", 10, 10, 40, 18)], marks=[])
    assert register(page, template) is None
