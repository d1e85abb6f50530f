"""Altered certificates and their genuine originals, through the trust-signal stage (issue 19).

    .venv/bin/python -m bench.tamper --split tuning --count 40 [--real] [--outlines]

Takes genuine certificates (:mod:`bench.corpus`'s born-digital ones, and with ``--real`` every real
certificate of ``../shared/corpus/real``), alters each the ways forgers do, and reads every file,
genuine and altered, through the reader, the extractor and :func:`pipeline.signals.find_signals`.
The truth of each altered file is what was done to it. Alterations:

- ``incremental``: an incremental update appended to the file (the earlier revision kept, as Acrobat
  and PyMuPDF save): a new content stream paints a white box over a limit or a date and prints another
  value there;
- ``overdraw``: the same white box and new value, the file saved whole (qpdf);
- ``annotation``: the new value typed over the old one as a FreeText annotation with a white background;
- ``editor``: the file saved again through an editor (producer PDFescape, Sejda, Smallpdf...),
  nothing else changed;
- ``lookalike``: the certificate's values drawn on a copy of the ACORD 25 layout without the form's
  edition and copyright lines (generated certificates only).

Prints, per set, the share of altered files flagged ``tamper`` (and flagged at all), the share of
genuine files flagged ``tamper``, and which signal codes caught what. Validation seeds are only ever
reported in totals; no file of them is printed.
"""

from __future__ import annotations

import argparse
import io
import random
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Callable

import pikepdf

ALTERATIONS = ("incremental", "overdraw", "annotation", "editor", "lookalike")
EDITORS = ("PDFescape Online (www.pdfescape.com)", "Sejda (https://www.sejda.com)", "Smallpdf.com",
           "iLovePDF", "Wondershare PDFelement", "DocHub")
TARGETS = ("each_occurrence", "general_aggregate", "expiration", "el_each_accident", "aggregate",
           "combined_single_limit", "effective")


@dataclass
class Outcome:
    name: str
    kind: str  # genuine or an alteration
    codes: tuple[tuple[str, str], ...]  # (code, severity)
    error: str | None = None

    @property
    def tamper(self) -> bool:
        return any(sev == "tamper" for _, sev in self.codes)


# ----------------------------------------------------------------------------- reading
def check(data: bytes) -> tuple[dict[str, Any] | None, list[tuple[str, str]], str | None]:
    from pipeline.errors import PipelineError
    from pipeline.signals import with_signals
    from pipeline.stages import extract, read

    try:
        reading = read(data)
        certificate = with_signals(data, reading, extract(reading))
    except PipelineError as e:
        return None, [], e.code
    return certificate, [(s["code"], s["severity"]) for s in certificate["signals"]], None


# ----------------------------------------------------------------------------- alterations
def _target(certificate: dict[str, Any], rng: random.Random) -> tuple[str, Any, str] | None:
    """A limit or a date of the certificate to change: (pointer, old value, new text)."""
    evidence = certificate.get("evidence") or {}
    options = []
    for i, policy in enumerate(certificate.get("policies") or []):
        for key, value in (policy.get("limits") or {}).items():
            if key in TARGETS and isinstance(value, int) and f"/policies/{i}/limits/{key}" in evidence:
                options.append((f"/policies/{i}/limits/{key}", value, f"{value * 5:,}"))
        for key in ("expiration", "effective"):
            if policy.get(key) and f"/policies/{i}/{key}" in evidence:
                day = date.fromisoformat(policy[key]) + timedelta(days=365 if key == "expiration" else -30)
                options.append((f"/policies/{i}/{key}", policy[key], day.strftime("%m/%d/%Y")))
    return rng.choice(options) if options else None


def _cover_ops(box: list[float], height: float, text: str) -> bytes:
    """A white box over ``box`` (display points) and ``text`` in it, as content-stream operators."""
    x0, y0, x1, y1 = box
    size = max(5.0, min(10.0, (y1 - y0) * 0.8))
    bottom = height - y1 - 1
    literal = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return (f"q 1 1 1 rg {x0 - 1:.2f} {bottom:.2f} {max(x1 - x0, size * 0.6 * len(text)) + 2:.2f} "
            f"{y1 - y0 + 2:.2f} re f Q q 0 0 0 rg BT /FxTamper {size:.1f} Tf {x0:.2f} {bottom + 2:.2f} Td "
            f"({literal}) Tj ET Q\n").encode()


def _helvetica(pdf: pikepdf.Pdf) -> pikepdf.Object:
    return pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica,
                                                Encoding=pikepdf.Name.WinAnsiEncoding))


def _page_for(pdf: pikepdf.Pdf, where: dict[str, Any]) -> pikepdf.Page:
    return pdf.pages[int(where.get("page", 1)) - 1]


def _add_stream(pdf: pikepdf.Pdf, page: pikepdf.Page, ops: bytes) -> list[pikepdf.Object]:
    """Append a content stream to the page (a font resource for it); the objects that changed."""
    font = _helvetica(pdf)
    resources = page.obj.get("/Resources")
    if resources is None:
        page.obj.Resources = resources = pikepdf.Dictionary()
    fonts = resources.get("/Font")
    if fonts is None:
        resources.Font = fonts = pikepdf.Dictionary()
    fonts.FxTamper = font
    operators = [str(op) for _, op in pikepdf.parse_content_stream(page)]
    unclosed = max(0, operators.count("q") - operators.count("Q"))  # some pages leave states open
    stream = pdf.make_stream(b"Q\n" * (1 + unclosed) + ops)  # the page's own drawing closed first (PyMuPDF)
    opening = pdf.make_stream(b"q\n")
    contents = page.obj.get("/Contents")
    items = list(contents) if isinstance(contents, pikepdf.Array) else ([contents] if contents is not None else [])
    page.obj.Contents = pikepdf.Array([opening, *items, stream])
    changed = [page.obj, font, opening, stream]
    for holder in (resources, fonts):
        if holder.is_indirect:
            changed.append(holder)
    return changed


def overdraw(data: bytes, certificate: dict[str, Any], rng: random.Random, *, incremental: bool) -> bytes | None:
    target = _target(certificate, rng)
    if target is None:
        return None
    pointer, _, text = target
    where = certificate["evidence"][pointer]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = _page_for(pdf, where)
        height = float(page.cropbox[3]) - float(page.cropbox[1])
        changed = _add_stream(pdf, page, _cover_ops(where["bbox"], height, text))
        if incremental:
            return append_update(data, pdf, changed)
        buffer = io.BytesIO()
        pdf.save(buffer)
        return buffer.getvalue()


def append_update(original: bytes, pdf: pikepdf.Pdf, changed: list[pikepdf.Object]) -> bytes:
    """``original`` with an incremental update holding ``changed`` (a classic xref section, /Prev)."""
    prev = int(re.findall(rb"startxref\s+(\d+)", original)[-1])
    end = original.rfind(b"%%EOF") + len(b"%%EOF")  # anything a web server appended after the file is left out
    out = bytearray(original[:end] + b"\n")
    offsets = {}
    for obj in changed:
        number, generation = obj.objgen
        offsets[number] = (len(out), generation)
        if isinstance(obj, pikepdf.Stream):
            raw = obj.read_raw_bytes()
            head = pikepdf.Dictionary({k: v for k, v in obj.items() if k not in ("/Length",)})
            head.Length = len(raw)
            if "/Filter" in obj:
                head.Filter = obj.Filter
            out += f"{number} {generation} obj\n".encode() + head.unparse(resolved=True) + b"\nstream\n" + raw + b"\nendstream\nendobj\n"
        else:
            out += f"{number} {generation} obj\n".encode() + obj.unparse(resolved=True) + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for number in sorted(offsets):
        offset, generation = offsets[number]
        out += f"{number} 1\n{offset:010d} {generation:05d} n \n".encode()
    size = max(int(pdf.trailer.get("/Size", 0)), max(offsets) + 1)
    trailer = pikepdf.Dictionary(Size=size, Root=pdf.Root, Prev=prev)
    if "/Info" in pdf.trailer:
        trailer.Info = pdf.trailer.Info
    out += b"trailer\n" + trailer.unparse() + f"\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def annotation(data: bytes, certificate: dict[str, Any], rng: random.Random) -> bytes | None:
    target = _target(certificate, rng)
    if target is None:
        return None
    pointer, _, text = target
    where = certificate["evidence"][pointer]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = _page_for(pdf, where)
        height = float(page.cropbox[3]) - float(page.cropbox[1])
        x0, y0, x1, y1 = where["bbox"]
        rect = [x0 - 1, height - y1 - 1, max(x1, x0 + 5 * len(text)) + 1, height - y0 + 1]
        w, h = rect[2] - rect[0], rect[3] - rect[1]
        size = max(5.0, min(10.0, (y1 - y0) * 0.8))
        look = pdf.make_stream(f"1 1 1 rg 0 0 {w:.2f} {h:.2f} re f 0 0 0 rg BT /Helv {size:.1f} Tf 1 2 Td ({text}) Tj ET"
                               .encode(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                               BBox=[0, 0, w, h], Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(
                                   Helv=_helvetica(pdf))))
        annots = list(page.obj.get("/Annots") or [])
        annots.append(pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FreeText, Rect=rect, Contents=pikepdf.String(text),
            F=4, DA=pikepdf.String(f"/Helv {size:.1f} Tf 0 g"), IT=pikepdf.Name.FreeTextTypewriter,
            AP=pikepdf.Dictionary(N=look))))
        page.obj.Annots = pikepdf.Array(annots)
        buffer = io.BytesIO()
        pdf.save(buffer)
        return buffer.getvalue()


def editor(data: bytes, certificate: dict[str, Any], rng: random.Random) -> bytes | None:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["pdf:Producer"] = producer = rng.choice(EDITORS)
        pdf.docinfo["/Producer"] = producer
        pdf.docinfo["/ModDate"] = "D:" + date.today().strftime("%Y%m%d") + "120000Z"
        buffer = io.BytesIO()
        pdf.save(buffer)
        return buffer.getvalue()


def lookalike(truth: dict[str, Any] | None) -> bytes | None:
    """The values drawn on a copy of the layout with no edition or copyright line (samples.certificates's
    drawing, its footer lines left out)."""
    if truth is None:
        return None
    from samples import certificates as samples

    footer = re.compile(r"ACORD 25 \(|ACORD CORPORATION|registered marks of ACORD")
    original = samples._Pen.text

    def text(self, x, baseline, s, *args, **kwargs):
        if not footer.search(s):
            original(self, x, baseline, s, *args, **kwargs)

    samples._Pen.text = text
    try:
        return samples.draw_certificate(truth)
    finally:
        samples._Pen.text = original


def alter(kind: str, data: bytes, certificate: dict[str, Any], truth: dict[str, Any] | None,
          rng: random.Random) -> bytes | None:
    makers: dict[str, Callable[[], bytes | None]] = {
        "incremental": lambda: overdraw(data, certificate, rng, incremental=True),
        "overdraw": lambda: overdraw(data, certificate, rng, incremental=False),
        "annotation": lambda: annotation(data, certificate, rng),
        "editor": lambda: editor(data, certificate, rng),
        "lookalike": lambda: lookalike(truth),
    }
    return makers[kind]()


# ----------------------------------------------------------------------------- the run
def originals(split: str, count: int, start: int | None, outlines: bool, real: bool):
    from bench.corpus import born_digital, seeds
    from bench.formfill import REAL

    for seed in seeds(split, count, start):
        pdf, truth, recipe = born_digital(seed)
        if recipe.printed == "outlines" and not outlines:
            continue
        yield f"{split}-{seed}", f"{recipe.writer}/{recipe.printed}", pdf, truth
    if real:
        for path in sorted(REAL.glob("*.pdf")):
            if path.name.startswith(("real_", "filled_")):
                yield f"real/{path.name}", "real", path.read_bytes(), None


def run(split: str, count: int, start: int | None, outlines: bool, real: bool, show: bool) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for name, how, data, truth in originals(split, count, start, outlines, real):
        rng = random.Random(name)
        certificate, codes, error = check(data)
        outcomes.append(Outcome(name, "genuine", tuple(codes), error))
        if show and (split != "validation" or name.startswith("real/")):
            print(f"{name:70} {how:28} genuine   {codes or ''} {error or ''}", flush=True)
        if certificate is None:
            continue
        for kind in ALTERATIONS:
            altered = alter(kind, data, certificate, truth, rng)
            if altered is None:
                continue
            _, found, failed = check(altered)
            outcomes.append(Outcome(name, kind, tuple(found), failed))
            if show and (split != "validation" or name.startswith("real/")):
                print(f"{name:70} {how:28} {kind:9} {found} {failed or ''}", flush=True)
    return outcomes


def report(outcomes: list[Outcome]) -> str:
    lines = ["| set | files | flagged tamper | flagged at all | caught by (tamper codes) |", "|---|---|---|---|---|"]
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        group = ("real " if o.name.startswith("real/") else "generated ") + o.kind
        by_kind[group].append(o)
    for group in sorted(by_kind):
        rows = by_kind[group]
        tamper = sum(o.tamper for o in rows)
        flagged = sum(bool(o.codes) for o in rows)
        caught = Counter(code for o in rows for code, sev in set(o.codes) if sev == "tamper")
        lines.append(f"| {group} | {len(rows)} | {tamper} ({tamper / len(rows):.0%}) | {flagged} ({flagged / len(rows):.0%})"
                     f" | {', '.join(f'{c} {n}' for c, n in caught.most_common()) or '-'} |")
    altered = [o for o in outcomes if o.kind != "genuine"]
    genuine = [o for o in outcomes if o.kind == "genuine" and not o.error]
    if altered:
        lines.append(f"\naltered flagged tamper: {sum(o.tamper for o in altered)}/{len(altered)} "
                     f"({sum(o.tamper for o in altered) / len(altered):.1%})")
    if genuine:
        lines.append(f"genuine flagged tamper: {sum(o.tamper for o in genuine)}/{len(genuine)} "
                     f"({sum(o.tamper for o in genuine) / len(genuine):.1%})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from bench import formfill

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("tuning", "validation"), default="tuning")
    parser.add_argument("--count", type=int, default=20, help="seeds of the split")
    parser.add_argument("--start", type=int, default=None)
    parser.add_argument("--outlines", action="store_true", help="include the outline print path (read by OCR: slow)")
    parser.add_argument("--real", action="store_true", help="also every real certificate of ../shared")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if not formfill.available():
        print(f"the official blanks are not in {formfill.REAL}", file=sys.stderr)
        return 2
    outcomes = run(args.split, args.count, args.start, args.outlines, args.real, not args.quiet)
    print(report(outcomes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
