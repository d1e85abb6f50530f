"""A "print to PDF" that turns glyphs into outlines: crisp vector pages with no text layer.

Some agency portals print certificates this way; the page looks born-digital but holds no text,
so a reader must render and OCR it. Poppler's cairo backend writes SVG with every glyph as a path
(``pdftocairo -svg``); this module draws that SVG back into a PDF with reportlab. It knows the part
of SVG cairo writes: ``symbol`` / ``use`` glyphs, ``path`` (M L C H V Z), ``rect``, ``image``
(PNG/JPEG data URIs), ``g`` with a style or a transform. Clip paths and masks are left out.
"""

from __future__ import annotations

import base64
import io
import re
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"
_NUMBER = re.compile(r"-?\d*\.?\d+(?:[eE][-+]?\d+)?")


def outline_pdf(pdf: bytes) -> bytes:
    """Every page of ``pdf`` drawn again with its text as paths."""
    with tempfile.TemporaryDirectory() as folder:
        src = Path(folder) / "in.pdf"
        src.write_bytes(pdf)
        count = _pages(src)
        buffer = io.BytesIO()
        canvas = None
        for number in range(1, count + 1):
            out = Path(folder) / f"page-{number}.svg"
            subprocess.run(["pdftocairo", "-svg", "-f", str(number), "-l", str(number), str(src), str(out)],
                           check=True, capture_output=True, timeout=120)
            root = ET.parse(out).getroot()
            size = (_points(root.get("width")), _points(root.get("height")))
            if canvas is None:
                canvas = Canvas(buffer, pagesize=size, invariant=1)
            canvas.setPageSize(size)
            _Painter(canvas, root, size[1], prefix=f"p{number}").paint()
            canvas.showPage()
        canvas.save()
        return buffer.getvalue()


def _pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True, timeout=60).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def _points(value: str | None) -> float:
    return float(re.sub(r"[a-z]+$", "", value or "0"))


def _style(element: ET.Element) -> dict[str, str]:
    style = {}
    for part in (element.get("style") or "").split(";"):
        if ":" in part:
            key, value = part.split(":", 1)
            style[key.strip()] = value.strip()
    for key in ("fill", "stroke", "stroke-width", "fill-rule"):
        if element.get(key):
            style[key] = element.get(key)
    return style


def _colour(value: str) -> tuple[float, float, float] | None:
    if not value or value == "none":
        return None
    if value.startswith("#") and len(value) == 7:
        return tuple(int(value[i:i + 2], 16) / 255 for i in (1, 3, 5))
    numbers = [float(n) for n in _NUMBER.findall(value)]
    if len(numbers) == 3:
        scale = 100.0 if "%" in value else 255.0
        return tuple(n / scale for n in numbers)
    return (0.0, 0.0, 0.0)


def _matrix(value: str | None) -> tuple[float, ...] | None:
    if not value:
        return None
    numbers = [float(n) for n in _NUMBER.findall(value)]
    if value.startswith("matrix") and len(numbers) == 6:
        return tuple(numbers)
    if value.startswith("translate"):
        return (1, 0, 0, 1, numbers[0], numbers[1] if len(numbers) > 1 else 0)
    if value.startswith("scale"):
        return (numbers[0], 0, 0, numbers[-1], 0, 0)
    return None


class _Painter:
    def __init__(self, canvas: Canvas, root: ET.Element, height: float, prefix: str) -> None:
        self.c, self.root, self.height, self.prefix = canvas, root, height, prefix
        self.symbols: dict[str, ET.Element] = {}
        self.images: dict[str, ET.Element] = {}
        self.forms: set[str] = set()
        for element in root.iter():
            if element.tag == f"{SVG}symbol" and element.get("id"):
                self.symbols[element.get("id")] = element
            elif element.tag == f"{SVG}image" and element.get("id"):
                self.images[element.get("id")] = element

    def paint(self) -> None:
        self.c.saveState()
        self.c.transform(1, 0, 0, -1, 0, self.height)  # SVG's y runs down
        for child in self.root:
            if child.tag != f"{SVG}defs":
                self._element(child, {"fill": "rgb(0%,0%,0%)"})
        self.c.restoreState()

    def _element(self, element: ET.Element, inherited: dict[str, str]) -> None:
        tag = element.tag.replace(SVG, "")
        style = {**inherited, **_style(element)}
        matrix = _matrix(element.get("transform"))
        self.c.saveState()
        if matrix:
            self.c.transform(*matrix)
        if tag == "g":
            for child in element:
                self._element(child, style)
        elif tag == "use":
            self._use(element, style)
        elif tag == "path":
            self._path(element.get("d") or "", style)
        elif tag == "rect":
            x, y = float(element.get("x") or 0), float(element.get("y") or 0)
            w, h = float(element.get("width") or 0), float(element.get("height") or 0)
            self._path(f"M {x} {y} L {x + w} {y} L {x + w} {y + h} L {x} {y + h} Z", style)
        elif tag == "image":
            self._image(element)
        self.c.restoreState()

    def _use(self, element: ET.Element, style: dict[str, str]) -> None:
        ref = (element.get(XLINK) or element.get("href") or "").lstrip("#")
        x, y = float(element.get("x") or 0), float(element.get("y") or 0)
        self.c.translate(x, y)
        if ref in self.images:
            self._image(self.images[ref])
        elif ref in self.symbols:
            name = f"{self.prefix}-{ref}"
            if name not in self.forms:  # each glyph once, as a form XObject
                self.c.beginForm(name, lowerx=-2000, lowery=-2000, upperx=2000, uppery=2000)
                for child in self.symbols[ref]:
                    if child.tag == f"{SVG}path":
                        self._path(child.get("d") or "", {**_style(child), "fill": "inherit"})
                self.c.endForm()
                self.forms.add(name)
            colour = _colour(style.get("fill", ""))
            if colour:
                self.c.setFillColorRGB(*colour)
            self.c.doForm(name)

    def _path(self, d: str, style: dict[str, str]) -> None:
        fill = style.get("fill", "rgb(0%,0%,0%)")
        fill_colour = None if fill == "inherit" else _colour(fill)
        stroke_colour = _colour(style.get("stroke", "none"))
        if fill_colour:
            self.c.setFillColorRGB(*fill_colour)
        if stroke_colour:
            self.c.setStrokeColorRGB(*stroke_colour)
            self.c.setLineWidth(float(style.get("stroke-width", "1")))
            self.c.setLineCap({"butt": 0, "round": 1, "square": 2}.get(style.get("stroke-linecap", "butt"), 0))
            self.c.setLineJoin({"miter": 0, "round": 1, "bevel": 2}.get(style.get("stroke-linejoin", "miter"), 0))
        path = self.c.beginPath()
        tokens = re.findall(r"[MLCHVZmlchvz]|" + _NUMBER.pattern, d)
        i, command, x, y = 0, "M", 0.0, 0.0
        while i < len(tokens):
            if tokens[i].isalpha():
                command = tokens[i]
                i += 1
                if command in "Zz":
                    path.close()
                    continue
            args = [float(t) for t in tokens[i:i + {"C": 6, "H": 1, "V": 1}.get(command.upper(), 2)]]
            i += len(args)
            if command == "M":
                x, y = args
                path.moveTo(x, y)
                command = "L"
            elif command == "L":
                x, y = args
                path.lineTo(x, y)
            elif command == "H":
                x = args[0]
                path.lineTo(x, y)
            elif command == "V":
                y = args[0]
                path.lineTo(x, y)
            elif command == "C":
                path.curveTo(*args)
                x, y = args[4], args[5]
            else:  # relative commands: cairo does not write them
                break
        even_odd = style.get("fill-rule") == "evenodd"
        self.c.drawPath(path, stroke=1 if stroke_colour else 0, fill=0 if fill == "none" else 1,
                        fillMode=1 if even_odd else 0)

    def _image(self, element: ET.Element) -> None:
        href = element.get(XLINK) or element.get("href") or ""
        if "," not in href:
            return
        data = base64.b64decode(href.split(",", 1)[1])
        w, h = float(element.get("width") or 0), float(element.get("height") or 0)
        x, y = float(element.get("x") or 0), float(element.get("y") or 0)
        self.c.saveState()
        self.c.translate(x, y + h)
        self.c.scale(1, -1)  # images upright again in the flipped space
        self.c.drawImage(ImageReader(io.BytesIO(data)), 0, 0, w, h, mask="auto")
        self.c.restoreState()
