"""The held-back bench's tables: fields right per set and kind, calibration, the most frequent misses.

Every value the reader gives is one :class:`Value`: its generic field (``/insurers/*/naic``,
``/general_liability/limits/each_occurrence``), the confidence of its evidence, and how it missed
(``None`` when right). A miss is one of:

- ``missing``: the truth has a value, the reader gave none;
- ``spurious``: the truth is null (or an empty list), the reader gave a value;
- ``wrong``: both have a value and they differ.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace

BINS = ((0.5, 0.7, "0.5-0.7"), (0.7, 0.9, "0.7-0.9"), (0.9, 0.99, "0.9-0.99"), (0.99, 1.01, ">=0.99"))
SETS = ("tuning", "validation", "real")
FIT_MIN = 20  # values of one way on validation below which no confidence is fitted for it
KINDS = ("born-digital", "scan", "photo")


@dataclass(frozen=True)
class Value:
    field: str
    miss: str | None
    confidence: float
    given: bool  # the reader gave a value (not null, not an empty list)
    how: str | None = None  # how the reader found it (evidence "how"), the key the confidence table is fitted by
    kind: str = ""  # born-digital, scan or photo (set by Bench.add): the text layer and OCR are fitted apart


def lower_bound(right: int, n: int, z: float = 1.96) -> float:
    """The Wilson score interval's lower end for ``right`` of ``n``: the share a confidence may claim."""
    p = right / n
    centre, spread = p + z * z / (2 * n), z * ((p * (1 - p) + z * z / (4 * n)) / n) ** 0.5
    return (centre - spread) / (1 + z * z / n)


def miss_kind(truth, got) -> str | None:
    empty = lambda v: v is None or v == []  # noqa: E731
    if truth == got:
        return None
    if empty(got):
        return "missing"
    if empty(truth):
        return "spurious"
    return "wrong"


@dataclass
class Tally:
    right: int = 0
    total: int = 0
    high: int = 0
    wrong_high: int = 0
    documents: int = 0
    seconds: float = 0.0
    pages: int = 0
    osd: int = 0  # tesseract orientation (OSD) runs

    def add(self, values: list[Value], seconds: float, pages: int, osd: int = 0) -> None:
        self.documents += 1
        self.seconds += seconds
        self.pages += pages
        self.osd += osd
        for v in values:
            self.total += 1
            self.right += v.miss is None
            if v.given and v.confidence >= 0.9:
                self.high += 1
                self.wrong_high += v.miss is not None

    def row(self) -> str:
        rate = self.wrong_high / self.high if self.high else 0.0
        return (f"{self.documents:5} | {self.right:5}/{self.total:<5} {self.right / max(self.total, 1):6.1%} | "
                f"{self.wrong_high:4}/{self.high:<5} {rate:6.2%} | {self.seconds / max(self.pages, 1):5.1f} | "
                f"{self.osd / max(self.pages, 1):4.2f}")


class Bench:
    """Everything measured in one run, by set (tuning / validation / real) and kind."""

    def __init__(self) -> None:
        self.tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
        self.values: dict[str, list[Value]] = defaultdict(list)
        self.negatives: list[tuple[str, str]] = []  # (file, outcome)

    def add(self, set_name: str, kind: str, values: list[Value], seconds: float, pages: int,
            osd: int = 0) -> None:
        self.tallies[(set_name, kind)].add(values, seconds, pages, osd)
        self.values[set_name] += [replace(v, kind=kind) for v in values]

    def summary(self) -> str:
        rows = ["fields right, and values wrong among those given at confidence >= 0.9:", "",
                f"  {'set':11} {'kind':13} | {'docs':>5} | {'fields right':>19} | {'wrong at >= 0.9':>18} | s/page | OSD/page",
                "  " + "-" * 97]
        for s in SETS:
            for kind in KINDS:
                if (s, kind) in self.tallies:
                    rows.append(f"  {s:11} {kind:13} | {self.tallies[(s, kind)].row()}")
        for (s, kind), tally in self.tallies.items():
            if s in SETS and kind not in KINDS:
                rows.append(f"  {s:11} {kind[:13]:13} | {tally.row()}")
        return "\n".join(rows)

    def calibration(self) -> str:
        rows = ["calibration: values given at each confidence, and the share of them wrong", "",
                f"  {'confidence':10}" + "".join(f" | {s:>26}" for s in SETS)]
        for low, high, label in BINS:
            cells = []
            for s in SETS:
                given = [v for v in self.values.get(s, []) if v.given and low <= v.confidence < high]
                wrong = sum(1 for v in given if v.miss is not None)
                cells.append(f"{len(given):5} values, {wrong / len(given) if given else 0:6.2%} wrong")
            rows.append(f"  {label:10}" + "".join(f" | {c:>26}" for c in cells))
        return "\n".join(rows)

    def by_how(self) -> str:
        """Values given, per way of finding them and per kind (born-digital, scan or photo), and the share wrong:
        the table the reader's confidences are fitted on (validation totals only; no file is shown).
        A way's confidence is one number today; born-digital files and scans are shown apart because
        they do not earn the same one."""
        def reading(v: Value) -> str:  # born-digital includes the outline prints, which OCR reads
            return "digital" if v.kind == "born-digital" else "scan/photo"

        keys = sorted({(v.how or "-", reading(v)) for s in SETS for v in self.values.get(s, []) if v.given})
        rows = ["by how each value was found (born-digital / scans and photos): values given and the share of them wrong;",
                f"'fitted': the confidence validation supports (95 % lower bound of its right share; none under "
                f"{FIT_MIN} values)", "",
                f"  {'how':26}" + "".join(f" | {s:>26}" for s in SETS) + " | fitted"]
        for how, read in keys:
            def of(s: str) -> list[Value]:
                return [v for v in self.values.get(s, []) if v.given and (v.how or "-") == how and reading(v) == read]
            cells = []
            for s in SETS:
                given = of(s)
                wrong = sum(1 for v in given if v.miss is not None)
                cells.append(f"{len(given):5} values, {wrong / len(given) if given else 0:6.2%} wrong")
            held = of("validation")
            fitted = lower_bound(sum(v.miss is None for v in held), len(held)) if len(held) >= FIT_MIN else None
            rows.append(f"  {how + ' / ' + read:26}" + "".join(f" | {c:>26}" for c in cells)
                        + (f" | {fitted:.3f}" if fitted is not None else " |  -"))
        return "\n".join(rows)

    def misses(self, top: int = 15) -> str:
        counts: dict[str, Counter] = defaultdict(Counter)
        for s in SETS:
            for v in self.values.get(s, []):
                if v.miss is not None:
                    counts[f"{v.field}  [{v.miss}]"][s] += 1
        ranked = sorted(counts.items(), key=lambda kv: -sum(kv[1].values()))[:top]
        rows = [f"the {top} most frequent miss classes (field + kind of miss; counts per set):", "",
                f"  {'class':70}" + "".join(f" {s:>10}" for s in SETS)]
        rows += [f"  {name:70}" + "".join(f" {c[s]:10}" for s in SETS) for name, c in ranked]
        return "\n".join(rows)

    def negatives_report(self) -> str:
        if not self.negatives:
            return ""
        rows = ["documents that must end as not_a_certificate:", ""]
        rows += [f"  {'ok ' if outcome == 'not_a_certificate' else 'NO '} {name[:90]:90} {outcome}"
                 for name, outcome in self.negatives]
        return "\n".join(rows)
