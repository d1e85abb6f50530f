"""One walk over a PDF page's objects, for all that the text-layer reader learns from them.

:class:`PageObjects` walks a page's objects once, depth first in the content's order (a form XObject's
objects in its place, MAX_DEPTH deep), and keeps what three walks used to find: each text object's place
in the drawing (the words' drawing order), the marks (images, crosses, strokes, drawings, with their boxes
in page space), the largest image's declared pixels (the refusal of huge images) and how many of the page's
own text objects are drawn invisible (the layer check).

The walk calls pdfium through unchecked bindings of its functions (:func:`unchecked`): each handle a call
gives back stays a ctypes object (``_Handle``) and is passed to the next calls as it is, its address read
once where it keys the text objects; a handle given as a typed ctypes pointer costs a ``cast`` to key or
compare it, and an int given for a typed pointer a new ``c_void_p`` on every call. :func:`by_address` makes
bindings that take handles as plain addresses (ints), for callers that hold those. The functions, and so
what they answer, are the same.
"""

from __future__ import annotations

import ctypes
from typing import Any, Iterator

import pypdfium2.raw as pdfium_c

MAX_DEPTH = 6  # form XObjects nested deeper than this are not entered
DRAWING_CURVES = 4  # a path of at least this many curve segments, or ...
DRAWING_DIAGONALS = 6  # ... this many slanted lines, is a drawing (a signature, a logo)

Box = tuple[float, float, float, float]  # left, bottom, right, top in page space
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _is_handle(kind: Any) -> bool:
    """A pointer to one of pdfium's opaque structures (a page, page object, text page, path segment)."""
    return getattr(getattr(kind, "_type_", None), "__name__", "").startswith("struct_fpdf_")


def by_address(fn: Any, *, pointers: bool = False) -> Any:
    """A second binding of pdfium's function ``fn`` (from ``pypdfium2.raw``) whose handles are addresses; with
    ``pointers``, every pointer argument too (the address of what pdfium is to fill: ``ctypes.addressof``)."""
    plain = [ctypes.c_void_p if _is_handle(t) or (pointers and hasattr(t, "contents")) else t for t in fn.argtypes]
    result = ctypes.c_void_p if _is_handle(fn.restype) else fn.restype
    return ctypes.CFUNCTYPE(result, *plain)(ctypes.cast(fn, ctypes.c_void_p).value)


def unchecked(fn: Any, restype: Any = ctypes.c_int) -> Any:
    """A third binding of pdfium's function ``fn`` (from ``pypdfium2.raw``), with no argument types: each argument
    is passed as it is converted by default, so a caller gives ctypes objects it made once (a handle as a
    ``c_void_p``, an output place as a ``byref``) and small ints (a C ``int``), and no argument is converted
    on each call (with argument types, an int given for a pointer becomes a new ``c_void_p`` on every call:
    half the cost of a call that only reads a box). The same function at the same address."""
    bound = type(fn)(ctypes.cast(fn, ctypes.c_void_p).value)
    bound.argtypes, bound.restype = None, restype
    return bound


def address(handle: Any) -> int:
    """The address of a pdfium handle (0 for none)."""
    return ctypes.cast(handle, ctypes.c_void_p).value or 0


class _Handle(ctypes.c_void_p):
    """A pdfium handle as a function gives it back: ctypes turns a ``c_void_p`` result into an int, not a
    subclass of it, so the handle stays a ctypes object that is passed to the next call as it is."""


# The walk's pdfium functions, unchecked (:func:`unchecked`): a handle is given as the ``_Handle`` a call gave
# back (or the page's ``c_void_p``), an output place as a ``byref`` made once, an index as a small int (an
# unsigned long one as a ``c_ulong``). The same functions at the same addresses.
_count_objects = unchecked(pdfium_c.FPDFPage_CountObjects)
_get_object = unchecked(pdfium_c.FPDFPage_GetObject, _Handle)
_get_type = unchecked(pdfium_c.FPDFPageObj_GetType)
_form_count = unchecked(pdfium_c.FPDFFormObj_CountObjects)
_form_object = unchecked(pdfium_c.FPDFFormObj_GetObject, _Handle)  # (its index a c_ulong)
_get_matrix = unchecked(pdfium_c.FPDFPageObj_GetMatrix)
_get_bounds = unchecked(pdfium_c.FPDFPageObj_GetBounds)
_pixel_size = unchecked(pdfium_c.FPDFImageObj_GetImagePixelSize)
_render_mode = unchecked(pdfium_c.FPDFTextObj_GetTextRenderMode)
_count_segments = unchecked(pdfium_c.FPDFPath_CountSegments)
_get_segment = unchecked(pdfium_c.FPDFPath_GetPathSegment, _Handle)
_segment_point = unchecked(pdfium_c.FPDFPathSegment_GetPoint)
_segment_type = unchecked(pdfium_c.FPDFPathSegment_GetType)
text_object = by_address(pdfium_c.FPDFText_GetTextObject)  # (text page's address, character) -> its object's

_TEXT, _PATH, _IMAGE, _FORM = (pdfium_c.FPDF_PAGEOBJ_TEXT, pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_IMAGE,
                               pdfium_c.FPDF_PAGEOBJ_FORM)
_INVISIBLE = pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE
_BEZIER, _LINE = pdfium_c.FPDF_SEGMENT_BEZIERTO, pdfium_c.FPDF_SEGMENT_LINETO


class PageObjects:
    """What one walk of a page's objects finds (see the module's docstring). ``paths``: classify the paths
    too (the marks); without, only images are kept among ``found``."""

    def __init__(self, page: Any, *, paths: bool = True) -> None:
        self.text_rank: dict[int, int] = {}  # each text object's address -> its place among the text objects drawn
        self.found: list[tuple[str, Box]] = []  # images, crosses, strokes and drawings, in the walk's order
        self.most_pixels = 0  # the largest declared width x height of an image
        self.shown = self.hidden = 0  # the page's own text objects (not a form XObject's) drawn, and drawn invisible
        self._paths = paths
        self._float = [ctypes.c_float() for _ in range(4)]
        self._at = [ctypes.byref(f) for f in self._float]  # where pdfium writes them
        self._uint = (ctypes.c_uint(), ctypes.c_uint())
        self._uint_at = tuple(ctypes.byref(u) for u in self._uint)
        self._fs_matrix = pdfium_c.FS_MATRIX()
        self._fs_matrix_at = ctypes.byref(self._fs_matrix)
        handle = ctypes.c_void_p(address(page.raw))
        self._walk([_get_object(handle, i) for i in range(_count_objects(handle))], IDENTITY, 0)

    def marks(self) -> Iterator[tuple[str, Box]]:
        """Crosses, images and drawings, in page space: two single strokes over each other make a cross."""
        strokes = []
        for kind, box in self.found:
            if kind == "stroke":
                strokes.append(box)
            else:
                yield kind, box
        yield from _pair_strokes(strokes)

    def images(self) -> Iterator[Box]:
        return (box for kind, box in self.found if kind == "image")

    def _walk(self, objects: list[Any], matrix: Matrix, depth: int) -> None:
        for obj in objects:
            kind = _get_type(obj)
            if kind == _TEXT:
                self.text_rank[obj.value or 0] = len(self.text_rank)
                if depth == 0:
                    if _render_mode(obj) == _INVISIBLE:
                        self.hidden += 1
                    else:
                        self.shown += 1
            elif kind == _FORM:
                if depth < MAX_DEPTH:
                    children = [_form_object(obj, ctypes.c_ulong(i)) for i in range(_form_count(obj))]
                    self._walk(children, _compose(self._matrix(obj), matrix), depth + 1)
            elif kind == _IMAGE:
                width, height = self._uint
                if _pixel_size(obj, *self._uint_at):
                    self.most_pixels = max(self.most_pixels, width.value * height.value)
                box = self._bounds(obj, matrix)
                if box is not None:
                    self.found.append(("image", box))
            elif kind == _PATH and self._paths:
                box = self._bounds(obj, matrix)
                if box is not None:
                    label = self._classify_path(obj, box)
                    if label:
                        self.found.append((label, box))

    def _matrix(self, obj: Any) -> Matrix:
        m = self._fs_matrix
        if not _get_matrix(obj, self._fs_matrix_at):
            return IDENTITY
        return (m.a, m.b, m.c, m.d, m.e, m.f)

    def _bounds(self, obj: Any, matrix: Matrix) -> Box | None:
        l, b, r, t = self._float
        if not _get_bounds(obj, *self._at):
            return None
        a, bb, c, d, e, f = matrix
        lv, bv, rv, tv = l.value, b.value, r.value, t.value
        # the four corners (left-bottom, right-top, left-top, right-bottom), each min and max taken in that order
        x1, x2, x3, x4 = a * lv + c * bv + e, a * rv + c * tv + e, a * lv + c * tv + e, a * rv + c * bv + e
        y1, y2, y3, y4 = bb * lv + d * bv + f, bb * rv + d * tv + f, bb * lv + d * tv + f, bb * rv + d * bv + f
        return min(x1, x2, x3, x4), min(y1, y2, y3, y4), max(x1, x2, x3, x4), max(y1, y2, y3, y4)

    def _classify_path(self, obj: Any, box: Box) -> str | None:
        """``cross`` for a small X/tick, ``stroke`` for half of one, ``drawing`` for curves; None for rules and
        boxes."""
        width, height = box[2] - box[0], box[3] - box[1]
        n = _count_segments(obj)
        if n < 2 or width > 300 or height > 150:
            return None
        small = 2.5 <= width <= 16 and 2.5 <= height <= 16 and 0.4 <= width / height <= 2.5
        x, y = self._float[0], self._float[1]
        at_x, at_y = self._at[0], self._at[1]
        diagonal = curves = 0
        previous: tuple[float, float] | None = None
        for i in range(n):
            if not small and curves + n - i < DRAWING_CURVES and diagonal + n - i < DRAWING_DIAGONALS:
                return None  # a rule or a box: too few segments left to make it a drawing
            seg = _get_segment(obj, i)
            if not seg or not _segment_point(seg, at_x, at_y):
                continue
            kind = _segment_type(seg)
            point = (x.value, y.value)
            if kind == _BEZIER:
                curves += 1
                if curves >= DRAWING_CURVES:
                    return "drawing"  # no cross has curves: the rest of the path changes nothing
            elif kind == _LINE and previous is not None:
                dx, dy = abs(point[0] - previous[0]), abs(point[1] - previous[1])
                if dx > 0.2 * max(dy, 1e-6) and dy > 0.2 * max(dx, 1e-6):
                    diagonal += 1
                    if diagonal >= DRAWING_DIAGONALS and not small:
                        return "drawing"
            previous = point
        if small and diagonal >= 2 and curves == 0:
            return "cross"
        if small and diagonal == 1 and curves == 0 and n <= 3:
            return "stroke"  # half of an X drawn as two separate lines
        if curves >= DRAWING_CURVES or diagonal >= DRAWING_DIAGONALS:
            return "drawing"
        return None


def _compose(first: Matrix, then: Matrix) -> Matrix:
    a1, b1, c1, d1, e1, f1 = first
    a2, b2, c2, d2, e2, f2 = then
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def _pair_strokes(strokes: list[Box]) -> Iterator[tuple[str, Box]]:
    """Two single diagonal strokes drawn over each other make a cross (an X of two lines)."""
    used: set[int] = set()
    for i, a in enumerate(strokes):
        if i in used:
            continue
        for j in range(i + 1, len(strokes)):
            b = strokes[j]
            if j in used:
                continue
            ix = min(a[2], b[2]) - max(a[0], b[0])
            iy = min(a[3], b[3]) - max(a[1], b[1])
            area = max((a[2] - a[0]) * (a[3] - a[1]), 1e-6)
            if ix > 0 and iy > 0 and ix * iy > 0.5 * area:
                used.update((i, j))
                yield "cross", (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                break
