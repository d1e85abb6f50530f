"""Fit the reader's confidence function on the validation split; judge it on seeds it never saw.

    .venv/bin/python -m bench.calibrate [--official BD,SCANS,PHOTOS] [--fit-seed F] [--judge-seed J]
        [--tuning-seed T] [--tuning-seeds S,S,...] [--no-tuning] [--no-real] [--show-wrong] [--path-only] [--write]
        (COI_BENCH_CACHE=DIR keeps OCR readings, as in bench.accuracy)

Four sets, each read once: the **tuning** set (tuning seeds from ``--tuning-seed``: never fitted on,
shown file by file with ``--show-wrong``), the **fit** set (certificates on the official blanks from
validation seeds starting at ``--fit-seed``), the **judged** set (validation seeds from
``--judge-seed``, never fitted on) and the real certificates with a truth file. Every value the
reader gives is one sample: how it was found, whether OCR read it, the least sure OCR word in its
box, whether its block borrowed the page's fit, its block's registration residual, whether two
readings of it agreed or differed, whether it failed its field kind's check, and whether it was
right (:mod:`bench.accuracy`'s scoring).

The fit (:func:`fit`) is maximum likelihood of :func:`pipeline.acord25.confidence.confidence`'s
logistic form, by scipy's L-BFGS-B: an intercept for each way and reading with at least ``FIT_MIN``
values (pulled towards the way's set value by a small ridge, so a way that was never wrong is not
sent to certainty), one slope on the OCR words' confidence and a cost for its falling below each of
``LEAST_STEPS``, the costs of a borrowed fit, of a point of an OCR block's residual, of two readings
that differ and of a failed kind check, the gain of two readings that agree (all held >= 0; one the
fit set holds no case of keeps its start value, 1), and one offset for OCR readings of the ways too
rare to have an intercept.
Then the **margin** (:func:`margin`): the least shift down of every value's logit that holds the
share wrong at >= 0.9 on the fit set to ``TARGET``. The report gives, per set, before and after:
values given, how many at >= 0.9 and the share of those wrong, and the calibration table.
``--write`` stores the fit in ``pipeline/acord25/confidence.json``. Validation files are never
shown one by one.

``--path-only`` (:func:`fit_path`) keeps the written fit and refits only what prices a value whose block
was fitted on the form's ruled lines alone, the registration of a page read by its value boxes
(:mod:`pipeline.ocr.zoned`; run it with ``COI_ZONE_OCR`` on so the scans are read so): its offset, the
cost of each point of that residual, the cost of an amount a second reading did not confirm (``unconfirmed``,
:func:`pipeline.ocr.zones.confirmation`; pulled, as the ways' intercepts are, towards its set value: the cost
that takes the fit set's amounts read to be confirmed down to ``UNCONFIRMED_CEILING``) and of a date alike
(``date_unconfirmed``), and the offset lowered
until the fit set's share wrong at >= 0.9 holds ``TARGET``. Every other value keeps its confidence.

``--fit-official`` gives the fit set counts of its own (a larger fit set than the judged one); ``--tuning-seeds``
makes the tuning set the scans of the seeds listed (a sample chosen by its blank, say). Each set's fields right
are reported beside its table; a document whose OCR stopped (a timeout on a loaded machine) is left out and said.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.report import BINS

FIT_MIN = 20  # values of one way and reading below which it gets no intercept of its own
RIDGE = 1.0  # pull of each intercept towards its way's set value (a Gaussian prior of sd 0.7 on the logit)
HIGH = 0.9
TARGET = 0.003  # the share of values at >= HIGH that may be wrong (issue 16)
MARGINS = np.arange(0.0, 6.01, 0.05)  # the margins tried, smallest first
TABLE = Path(__file__).resolve().parents[1] / "pipeline" / "acord25" / "confidence.json"


@dataclass(frozen=True)
class Sample:
    how: str | None
    ocr: bool
    least: float | None
    borrowed: bool
    right: bool
    given: float  # the confidence its evidence was given
    residual: float | None = None  # its block's registration residual, points
    agree: bool | None = None  # two readings of it agreed (True) or differed (False)
    fits: bool | None = None  # False: it failed its field kind's check
    by_rules: bool | None = None  # its block was fitted on ruled lines alone (the OCR stage's zones)
    confirmed: bool | None = None  # an amount read again to confirm it: whether that reading agreed
    date_confirmed: bool | None = None  # the same of a date
    name: str = ""  # the document and field (shown for the tuning set only)

    def features(self) -> "Any":
        from pipeline.acord25.confidence import features

        return features(self.how, self.ocr, self.least, self.borrowed, self.residual, self.agree, self.fits,
                        self.by_rules, self.confirmed, self.date_confirmed)


def samples_of(reading: Any, truth: dict[str, Any], name: str = "") -> list[Sample]:
    """Extract ``reading`` with the confidence function as it is now and score every value given."""
    from bench.accuracy import norm, paired
    from bench.report import miss_kind
    from pipeline.errors import PipelineError
    from pipeline.stages import extract

    try:
        got = extract(reading)
    except PipelineError:
        return []
    ocr_pages = {p.number for p in reading.pages if any(w.confidence is not None for w in p.words)}
    evidence = got.get("evidence") or {}
    out = []
    for _, field, t, g, ev in paired(truth, got):
        found = evidence.get(ev) if ev else None
        if g in (None, []) or not found:
            continue
        out.append(Sample(found.get("how"), found.get("page") in ocr_pages, found.get("ocr"),
                          bool(found.get("borrowed")), miss_kind(norm(t), norm(g)) is None, found["confidence"],
                          found.get("residual"), found.get("agree"), found.get("fits"), found.get("by_rules"),
                          found.get("confirmed"), found.get("date_confirmed"),
                          f"{name} {field} {g!r} (truth {t!r})" if name else ""))
    return out


# features subtracted, each at a cost >= 0
COSTS = ("borrowed", "residual", "differ", "misfit", "rules_residual", "unconfirmed", "date_unconfirmed")
GAINS = ("agree",)  # features added, each at a gain >= 0


def fit(samples: list[Sample]) -> "Any":
    """The maximum-likelihood :class:`~pipeline.acord25.confidence.Fit` of ``samples`` (no margin)."""
    from scipy.optimize import minimize

    from pipeline.acord25.confidence import Fit

    rows = [s.features() for s in samples]
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row.key] += 1
    keys = sorted(k for k, n in counts.items() if n >= FIT_MIN)
    index = {k: i for i, k in enumerate(keys)}
    n_ways = len(keys)
    way = np.array([index.get(row.key, -1) for row in rows])
    prior = np.array([row.prior for row in rows])
    ln_least = np.array([row.ln_least for row in rows])
    # one column per cost or gain, signed so that z adds theta * column
    signed = np.array([[-float(getattr(row, c)) for c in COSTS] + [float(getattr(row, g)) for g in GAINS]
                       + [-float(b) for b in row.below] for row in rows]).reshape(len(rows), -1)
    ocr = np.array([s.ocr for s in samples], dtype=float)
    rules = np.array([row.by_rules for row in rows], dtype=float)
    right = np.array([s.right for s in samples], dtype=float)
    own = way >= 0
    way_prior = np.array([prior[way == i][0] for i in range(n_ways)])
    n_terms = signed.shape[1]

    def unpack(theta):
        return theta[:n_ways], theta[n_ways], theta[n_ways + 1:n_ways + 1 + n_terms], theta[-2], theta[-1]

    def loss(theta):
        ways, slope, terms, offset, by_rules = unpack(theta)
        base = np.where(own, ways[np.maximum(way, 0)], prior + offset * ocr)
        z = base + slope * ln_least + signed @ terms + by_rules * rules
        p = 1 / (1 + np.exp(-z))
        # the negative log-likelihood (logaddexp: stable both ways) and its gradient
        nll = np.sum(np.logaddexp(0, -z) * right + np.logaddexp(0, z) * (1 - right))
        nll += RIDGE * np.sum((ways - way_prior) ** 2) + RIDGE * by_rules ** 2
        r = p - right
        grad_ways = np.bincount(way[own], weights=r[own], minlength=n_ways) + 2 * RIDGE * (ways - way_prior)
        grad = np.concatenate([grad_ways, [np.sum(r * ln_least)], signed.T @ r, [np.sum(r * ocr * ~own)],
                               [np.sum(r * rules) + 2 * RIDGE * by_rules]])
        return nll, grad

    start = np.concatenate([way_prior, [1.0], np.full(n_terms, 1.0), [0.0, 0.0]])
    bounds = [(None, None)] * n_ways + [(0, None)] * (1 + n_terms) + [(None, None)] * 2
    result = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds)
    ways, slope, terms, offset, by_rules = unpack(result.x)
    named = dict(zip(COSTS + GAINS, (float(t) for t in terms)))
    below = tuple(float(t) for t in terms[len(COSTS) + len(GAINS):])
    return Fit({k: float(v) for k, v in zip(keys, ways)}, float(slope), ocr_offset=float(offset), below=below,
               by_rules=float(by_rules), **named)


def fit_path(samples: list[Sample], base: "Any", only: tuple[str, ...] = ()) -> "Any":
    """``base`` (a written fit) with its two numbers for values whose block was fitted on ruled lines alone
    refitted on ``samples`` and every other number held: the offset of such a value and the cost of each point
    of its block's residual (maximum likelihood), then the offset lowered in MARGINS' steps until the
    samples' share wrong at >= HIGH holds TARGET. Values read any other way keep their confidence.

    ``only`` (costs of second readings, as ``date_unconfirmed``): fit those costs alone, the offset, the
    residual's cost and every other cost held as ``base`` has them (a new piece of evidence priced without
    moving what was fitted before); the offset is then lowered as above only if the samples need it."""
    from dataclasses import replace

    from scipy.optimize import minimize

    from pipeline.acord25.confidence import UNCONFIRMED_CEILING, confidence, logit

    every = ("unconfirmed", "date_unconfirmed")
    held = replace(base, **{c: 0.0 for c in (only or every)},
                   **({} if only else {"by_rules": 0.0, "rules_residual": 0.0}))
    rows = [s.features() for s in samples]
    z0 = np.array([logit(confidence(s.how, ocr=s.ocr, least=s.least, borrowed=s.borrowed, residual=s.residual,
                                    agree=s.agree, fits=s.fits, by_rules=s.by_rules, confirmed=s.confirmed,
                                    date_confirmed=s.date_confirmed, fit=held)) for s in samples])
    rules = np.array([row.by_rules for row in rows], dtype=float)
    points = np.array([row.rules_residual for row in rows])
    right = np.array([s.right for s in samples], dtype=float)
    # per kind read again to confirm it (amounts, dates): the values a second reading did not confirm, and the
    # cost's prior: what takes the values of that kind read to be confirmed (read surely), at the offset being
    # fitted, down to the set value of one a second reading did not confirm (UNCONFIRMED_CEILING); the samples
    # pull each cost as they pull the ways' intercepts
    kinds = tuple(k for k in (("unconfirmed", "confirmed", "amounts"), ("date_unconfirmed", "date_confirmed", "dates"))
                  if not only or k[0] in only)
    differ = np.array([[float(getattr(row, cost)) for cost, _, _ in kinds] for row in rows]).reshape(len(rows), -1)
    checked = np.array([[s.ocr and getattr(s, key) is not None for _, key, _ in kinds] for s in samples]
                       ).reshape(len(samples), -1)
    prior_base = np.array([float(np.mean(z0[c])) - logit(UNCONFIRMED_CEILING) if c.any() else 0.0
                           for c in checked.T])
    share = np.array([float(np.mean(rules[c])) if c.any() else 0.0 for c in checked.T])  # by rules (all, here)
    free = 0.0 if only else 1.0  # the offset and the residual's cost are fitted too (else held in z0)

    def loss(theta):
        costs = theta[2:]
        z = z0 + free * (theta[0] * rules - theta[1] * points) - differ @ costs
        p = 1 / (1 + np.exp(-z))
        nll = np.sum(np.logaddexp(0, -z) * right + np.logaddexp(0, z) * (1 - right)) + RIDGE * theta[0] ** 2
        gap = costs - (prior_base + free * share * theta[0])
        nll += RIDGE * np.sum(gap ** 2)
        r = p - right
        grad_offset = free * np.sum(r * rules) + 2 * RIDGE * theta[0] - 2 * RIDGE * free * np.sum(gap * share)
        return nll, np.concatenate([[grad_offset, -free * np.sum(r * points)], -(differ.T @ r) + 2 * RIDGE * gap])

    result = minimize(loss, np.concatenate([[0.0, 0.0], np.maximum(prior_base, 0.0)]), jac=True,
                      method="L-BFGS-B", bounds=[(None, None)] + [(0, None)] * (1 + len(kinds)))
    path = {"by_rules": float(result.x[0]), "rules_residual": float(result.x[1])} if not only else {}
    fitted = replace(held, **path, **{cost: float(x) for (cost, _, _), x in zip(kinds, result.x[2:])})
    for i, (cost, _, label) in enumerate(kinds):
        print(f"path fit: {int(rules.sum())} values by rules, {int(checked[:, i].sum())} {label} read again to "
              f"confirm them ({int((checked[:, i] * (1 - right)).sum())} wrong), {int(differ[:, i].sum())} not "
              f"confirmed, {int(((1 - right) * differ[:, i]).sum())} of those wrong; the cost's prior "
              f"{prior_base[i] + free * share[i] * float(result.x[0]):.3f}, fitted {getattr(fitted, cost):.3f}",
              flush=True)
    return _first_within_target((replace(fitted, by_rules=fitted.by_rules - float(m)) for m in MARGINS), samples)


def margin(fitted: "Any", samples: list[Sample]) -> "Any":
    """``fitted`` with the least margin of ``MARGINS`` that leaves at most ``TARGET`` of ``samples``'
    values at >= HIGH wrong (the largest tried when none does)."""
    from dataclasses import replace

    return _first_within_target((replace(fitted, margin=float(m)) for m in MARGINS), samples)


def _first_within_target(candidates: Iterable[Any], samples: list[Sample]) -> "Any":
    """The first of ``candidates`` (fits, most confident first) that leaves at most ``TARGET`` of ``samples``'
    values at >= HIGH wrong; the last when none does."""
    from pipeline.acord25.confidence import confidence

    for shifted in candidates:
        given = [confidence(s.how, ocr=s.ocr, least=s.least, borrowed=s.borrowed, residual=s.residual,
                            agree=s.agree, fits=s.fits, by_rules=s.by_rules, confirmed=s.confirmed,
                            date_confirmed=s.date_confirmed, fit=shifted) for s in samples]
        high = [s for s, c in zip(samples, given) if c >= HIGH]
        if sum(not s.right for s in high) <= TARGET * len(high):
            return shifted
    return shifted


def _scans(seeds: list[int]) -> Iterable[tuple[str, str, bytes, dict]]:
    """(kind, name, data, truth) of the scans of the tuning ``seeds``, as :func:`bench.accuracy.official` gives them."""
    from bench.accuracy import official

    for seed in seeds:
        yield from official("tuning", (0, 1, 0), seed)


def _fields_right(docs: list[tuple[Any, dict, str]]) -> tuple[int, int]:
    """Fields right and fields in the truth over ``docs`` (read, truth, name), scored as bench.accuracy scores."""
    from bench.accuracy import score
    from pipeline.errors import PipelineError
    from pipeline.stages import extract

    right = total = 0
    for reading, truth, _ in docs:
        try:
            got = extract(reading)
        except PipelineError:
            got = {}
        s = score(truth, got, defaultdict(lambda: [0, 0]))
        right, total = right + s.right, total + s.total
    return right, total


def table(name: str, samples: list[Sample]) -> list[str]:
    given = [s.given for s in samples]
    high = [s for s, c in zip(samples, given) if c >= HIGH]
    wrong = sum(not s.right for s in high)
    rows = [f"  {name:10} {len(samples):6} values | at >= 0.9: {len(high):6} ({len(high) / max(len(samples), 1):6.1%}), "
            f"wrong {wrong:4} ({wrong / max(len(high), 1):6.2%})"]
    for low, top, label in BINS[::-1] + ((0.0, 0.5, "< 0.5"),):
        inside = [s for s, c in zip(samples, given) if low <= c < top]
        bad = sum(not s.right for s in inside)
        mean = np.mean([c for c in given if low <= c < top]) if inside else 0.0
        rows.append(f"      {label:9} {len(inside):6} values, mean confidence {mean:5.3f}, "
                    f"{bad / max(len(inside), 1):6.2%} wrong")
    return rows


def by_way(before: dict[str, list[Sample]], after: dict[str, list[Sample]]) -> list[str]:
    """Per way and reading: values and share wrong in each set, mean confidence before and after."""
    from pipeline.acord25.confidence import features

    def key(s: Sample) -> str:
        return features(s.how, s.ocr, s.least, s.borrowed).key + ("/rules" if s.ocr and s.by_rules else "")

    keys = sorted({key(x) for xs in before.values() for x in xs})
    rows = ["by way and reading: values, share wrong, mean confidence before -> after, per set", ""]
    for k in keys:
        cells = []
        for s in before:
            was = [x for x in before[s] if key(x) == k]
            now = [x for x in after[s] if key(x) == k]
            if was:
                cells.append(f"{s} {len(was):5} {sum(not x.right for x in was) / len(was):6.2%} "
                             f"{np.mean([x.given for x in was]):.3f}->{np.mean([x.given for x in now]):.3f}")
        rows.append(f"  {k:26} " + " | ".join(cells))
    return rows + [""]


def main(argv: list[str] | None = None) -> int:
    from bench import formfill
    from bench.accuracy import _cached_read, official, real
    from pipeline.acord25 import confidence as module
    from pipeline.errors import PipelineError
    from pipeline.stages import read

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--official", default="30,10,8", help="born-digital,scanned,photographed per set")
    parser.add_argument("--fit-official", default="",
                        help="born-digital,scanned,photographed of the fit set alone (--official's by default)")
    parser.add_argument("--tuning-seed", type=int, default=0)
    parser.add_argument("--tuning-seeds", default="",
                        help="comma-separated tuning seeds: the tuning set is their scans instead (a sample chosen "
                             "by its blank, say)")
    parser.add_argument("--no-tuning", action="store_true")
    parser.add_argument("--show-wrong", action="store_true", help="list the tuning set's wrong values at >= 0.9")
    parser.add_argument("--fit-seed", type=int, default=1000)
    parser.add_argument("--judge-seed", type=int, default=1500)
    parser.add_argument("--no-real", action="store_true")
    parser.add_argument("--write", action="store_true", help="store the fit in pipeline/acord25/confidence.json")
    parser.add_argument("--only", default="",
                        help="with --path-only: comma-separated costs of second readings to fit alone (a new "
                             "one's, say), every other number of the written fit held")
    parser.add_argument("--path-only", action="store_true",
                        help="keep the written fit and refit only its numbers for values whose block was fitted on "
                             "ruled lines alone (the zones' path: read with COI_ZONE_OCR=1)")
    args = parser.parse_args(argv)
    counts = tuple(int(n) for n in args.official.split(","))
    fit_counts = tuple(int(n) for n in (args.fit_official or args.official).split(","))
    if not formfill.available():
        print(f"no official blanks in {formfill.REAL}: nothing to fit on")
        return 1
    documents: dict[str, list[tuple[Any, dict, str]]] = defaultdict(list)
    sets = [("tuning", "tuning", args.tuning_seed)] if not args.no_tuning else []
    listed = [int(x) for x in args.tuning_seeds.split(",") if x.strip()]
    for set_name, split, start in sets + [("fit", "validation", args.fit_seed), ("judged", "validation", args.judge_seed)]:
        chosen = _scans(listed) if set_name == "tuning" and listed else \
            official(split, fit_counts if set_name == "fit" else counts, start)
        for kind, name, data, truth in chosen:
            shown = f"{kind} {name}" if set_name == "tuning" else ""  # validation files are never shown
            try:
                documents[set_name].append((_cached_read(data, read, f"calibrate/{kind}/{name}"), truth, shown))
            except PipelineError as e:  # an OCR run stopped on a loaded machine: left out, said, read next time
                print(f"{set_name}: a document left unread ({e.code})" + (f": {shown}" if shown else ""), flush=True)
        print(f"{set_name}: {len(documents[set_name])} documents read", flush=True)
    if not args.no_real:
        for _, name, data, truth in real():
            try:
                documents["real"].append((_cached_read(data, read, f"real/{name}"), truth, name))
            except PipelineError as e:
                print(f"real: {name} left unread ({e.code})", flush=True)

    def measure() -> dict[str, list[Sample]]:
        return {s: [x for reading, truth, name in docs for x in samples_of(reading, truth, name)]
                for s, docs in documents.items()}

    right = {s: _fields_right(docs) for s, docs in documents.items()}  # the values do not hang on the fit
    written = module.FIT
    module.FIT = written if args.path_only else None  # before: the written fit, or the set values
    before = measure()
    if args.path_only:
        if written is None:
            print("no fit written in confidence.json: --path-only has nothing to keep")
            return 1
        fitted = fit_path(before["fit"], written, tuple(c for c in args.only.split(",") if c))
    else:
        fitted = margin(fit(before["fit"]), before["fit"])
    module.FIT = fitted
    after = measure()
    report = ["confidence fitted on the fit set; the judged set and the real files were not fitted on", ""]
    for s in documents:
        report += [f"{s}: fields right {right[s][0]}/{right[s][1]}", f"{s}, before:"] + table(s, before[s])
        report += [f"{s}, after:"] + table(s, after[s]) + [""]
    report += by_way(before, after)
    report.append("fit: " + json.dumps(fitted.to_dict()))
    if args.show_wrong:
        for label, got in (("before", before), ("after", after)):
            report += ["", f"tuning and real, wrong at >= 0.9, {label}:"]
            report += [f"  {x.given:.3f} {x.how} ocr={x.ocr} least={x.least} residual={x.residual} "
                       f"agree={x.agree} fits={x.fits} {x.name}"
                       for s in ("tuning", "real") for x in got.get(s, []) if x.given >= HIGH and not x.right]
    print("\n".join(report))
    if args.write:
        data = json.loads(TABLE.read_text())
        data["fit"] = fitted.to_dict()
        TABLE.write_text(json.dumps(data, indent=2) + "\n")
        print(f"written to {TABLE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
