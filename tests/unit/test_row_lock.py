"""A block of evenly spaced rows keeps to the page-wide fit's row unless its own evidence beats it by more than a row's
(``template.block_rows``, ``template._row_locked``)."""
import numpy as np

from pipeline.acord25 import template as T


def _level(t, i):
    x0, y0, x1, y1 = t.rules[i]
    return x1 - x0 > y1 - y0


def test_block_rows_from_the_template():
    t = T.load("2016/03")
    rows = T.block_rows("2016/03", "insurers")
    ys = sorted((t.rules[i][1] + t.rules[i][3]) / 2 for i in t.blocks["insurers"]["rules"] if _level(t, i))
    assert rows is not None and abs(rows.pitch - float(np.median(np.diff(ys)))) < 1e-9
    assert T.block_rows("2016/03", "producer") is None  # two level rules: no rows to slip along


def test_a_missing_top_rule_does_not_slip_the_block_a_row():
    """The insurers' top rule missed (a faint rule of a 150 dpi scan): one row down, the block's bottom rule meets the
    next block's and its other rules their neighbours', one rule more than at the true place."""
    t = T.load("2016/03")
    spec = t.blocks["insurers"]
    top = min((i for i in spec["rules"] if _level(t, i)), key=lambda i: t.rules[i][1])
    page_rules = [r for i, r in enumerate(t.rules) if i != top]
    reg = T.register_rules(page_rules, t, T.Transform())
    fit = reg.blocks["insurers"]
    assert fit.own and abs(fit.transform.ty) <= T.INLIER_PT


def test_decisive_evidence_a_row_off_is_taken():
    rows = T.BlockRows(pitch=12.0, rows=7.0, labels=0, rules=11)
    dy = np.array([0.0, 12.0])
    assert list(T._row_locked(np.array([10, 11]), dy, 0.0, rows, False)) == [10, -1]  # one row's worth more: locked
    assert list(T._row_locked(np.array([3, 11]), dy, 0.0, rows, False)) == [3, 11]  # far more: its own
