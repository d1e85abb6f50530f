"""The form's own printed labels taken out of a value box's image before the box is read again.

On some editions a label is printed inside the value box it names, where the value's first line starts
(the 2001/08 edition's PRODUCER and INSURED): a value typed there is printed over the label, and OCR reads
the two prints as one garbled word ('PBR RAter' for 'Bluewater'). The label's text and its box come from
the form template, placed on the page by the page's registration (:func:`printed_in`). Its glyphs are drawn
in the form's typeface (Helvetica, regular and bold: the URW look-alikes reportlab ships), fitted to the
registered box's width and found in the image near that box by correlation (:func:`glyph_mask`). The print
the label leaves is then modelled and subtracted (:func:`erase_labels`): the drawn glyphs, blurred as much
as the page's print is (the blur that fits the label's own edges best), give how dark the label makes each
pixel. Where that is at least ``CORE_LEVEL`` the label's ink hides whatever lies under it, and those pixels
are filled from around them (OpenCV's inpainting, Telea's method): a value's stroke running across the label
runs on. Around them, a pixel no darker than the label's blurred edge explains is the label's and becomes
paper, and a darker one is the value's and stays. Where the label's ink lay on the value's own, that much of
the value is lost: its letters come out whole enough to read, not always right.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from pipeline.ocr.bitmask import INK
from pipeline.ocr.ink import DARK

FONTS = ("_a______.pfb", "_ab_____.pfb")  # reportlab's Helvetica and Helvetica-Bold (URW Nimbus Sans)
RENDER_PX = 120  # font size (pixels) a label is drawn at before it is fitted to its box
GLYPH_LEVEL = 128  # of 255: a drawn glyph's pixel at least this dark is the label's ink
SEARCH_PT = 3.0  # how far a label's print may lie from its registered box (a block's fit leaves about this)
WIDTHS = (0.94, 0.97, 1.0, 1.03)  # the label's ink width tried, as shares of its registered box's width
MATCH_MIN = 0.55  # correlation of the drawn label with the image below which its print is not there (scans and photos
# of the 2001/08 blank's labels measured 0.84-0.92): the image is kept as it is
ALONE_MATCH_MIN = 0.8  # the same, for a label taken out with nothing printed over it (``alone``): the form's own
# print matches as above, a value's digit where the form's print is not (a "$" not printed) 0.56-0.74 (review)
MIN_LABEL_PX = 6  # a label fitted narrower or lower than this many pixels is not drawn (too small to match)
OVERPRINT_SHARE = 0.03  # ink beside the found glyphs, inside their box, as a share of the ink on them, from which a
# value is printed over a label that stands outside every field's typed rectangle (labels standing alone on 2016/03
# and 2025/12: up to 0.029)
TYPED_OVER_SHARE = 0.01  # the same share from which a value is printed over a label that lies in a field's typed
# rectangle (the template's ``Field.typed``: the 2001/08 party labels), where a value is typed over it whenever the
# field is filled (2001/08 scans and photos: mostly 0.03-0.16, 5 of 80 at 0.015-0.027); a label alone there is
# paper and speckle beside it
EDGE_PT = 0.25  # the found glyphs are grown by this much each way when ink beside them is told from theirs
FILL_PT = 0.75  # how far around a painted-out pixel the image is looked at to fill it (inpainting's radius)
# how blurred a scan's or photo's print may be (a Gaussian's sigma, points): the drawn label is blurred by each, and
# the one that fits the darkness of the label's own print best is its print's model (the 2001/08 tuning scans looked
# at: 0.15-0.35 pt)
BLURS_PT = (0.15, 0.25, 0.35, 0.5, 0.6)
CORE_LEVEL = 0.5  # of the label's modelled darkness (0 paper, 1 its ink): from this on its ink hides what lies under it
VALUE_MARGIN = 0.3  # darkness past what the label's blurred print explains from which a pixel beside it is a value's
MODEL_REACH = 0.02  # modelled darkness below this is beyond the label's print: the pixel is left as it is
INK_LEVEL_PCT = 10  # percentile of the grey levels under the label's glyphs taken as its ink's full darkness
SLIVER_PT = 0.5  # ink left beside the label's hidden core narrower than this is its drawn edge a pixel off (2 px at 300 dpi)
# the print's, not a value's stroke (a stroke is wider)


@dataclass(frozen=True)
class Label:
    """A printed word of the form at its registered place on the page: text and box in points."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    typed_over: bool = False  # it lies in a field's typed rectangle: a value filled in is printed over it


def printed_in(registration) -> tuple[Label, ...]:
    """Every printed word of ``registration``'s template (a :class:`pipeline.acord25.template.Registration`)
    at its place on the page, each placed by the fit of the block it stands in, and whether it lies in a field's
    typed rectangle (:func:`pipeline.acord25.template.typed_over`)."""
    from pipeline.acord25.template import block_of, typed_over

    template = registration.template
    out = []
    for text, *box in template.printed:
        block = block_of(template, (box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        out.append(Label(text, *registration.to_page(block, tuple(box)), typed_over(template, block, tuple(box))))
    return tuple(out)


def inside(labels, box) -> list[Label]:
    """The labels whose centre lies in ``box`` (points): the print the box holds."""
    return [lb for lb in labels if box.x0 <= (lb.x0 + lb.x1) / 2 <= box.x1 and box.y0 <= (lb.y0 + lb.y1) / 2 <= box.y1]


@functools.lru_cache(maxsize=256)
def _drawn(text: str, font: str) -> np.ndarray:
    """``text`` drawn in ``font`` at RENDER_PX, trimmed to its ink: 255 ink, 0 paper."""
    from PIL import Image, ImageDraw, ImageFont
    import reportlab

    face = ImageFont.truetype(str(Path(reportlab.__file__).with_name("fonts") / font), RENDER_PX)
    left, top, right, bottom = face.getbbox(text)
    image = Image.new("L", (right - left + 4, bottom - top + 4), 0)
    ImageDraw.Draw(image).text((2 - left, 2 - top), text, font=face, fill=255)
    ink = np.asarray(image)
    rows, cols = np.nonzero(ink.max(axis=1) >= GLYPH_LEVEL)[0], np.nonzero(ink.max(axis=0) >= GLYPH_LEVEL)[0]
    if not len(rows):
        return np.zeros((0, 0), dtype=np.uint8)
    return np.ascontiguousarray(ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1])


def glyph_mask(region: np.ndarray, text: str, width: float) -> tuple[float, int, int, np.ndarray] | None:
    """Where ``text``'s print lies in ``region`` (grey, dark ink on paper), drawn about ``width`` pixels
    wide: (correlation, left, top, the drawn glyphs: 0 paper to 255 ink), the best of each typeface and
    width tried; None when the label cannot be drawn to fit the region."""
    ink = (255 - region).astype(np.float32)
    best = None
    for font in FONTS:
        drawn = _drawn(text, font)
        if drawn.size == 0:
            continue
        for share in WIDTHS:
            w = int(round(width * share))
            h = int(round(w * drawn.shape[0] / drawn.shape[1]))
            if w < MIN_LABEL_PX or h < MIN_LABEL_PX or w > region.shape[1] or h > region.shape[0]:
                continue
            glyphs = cv2.resize(drawn, (w, h), interpolation=cv2.INTER_AREA)
            scores = cv2.matchTemplate(ink, glyphs.astype(np.float32), cv2.TM_CCORR_NORMED)
            _, score, _, (left, top) = cv2.minMaxLoc(scores)
            if best is None or score > best[0]:
                best = (float(score), left, top, glyphs)
    return best


def erase_labels(image: np.ndarray, labels, *, scale: float, alone: bool = False) -> tuple[np.ndarray, list[Label]]:
    """``image`` (grey, page pixels; ``scale`` points a pixel) with the print of each of ``labels`` found near
    its registered box with a value printed over it (ink beside its glyphs, in their box, at least
    OVERPRINT_SHARE of theirs, TYPED_OVER_SHARE for a label in a field's typed rectangle) taken out
    (:func:`subtracted`), and those labels; the image itself when there are none. With ``alone``, a label found
    with nothing printed over it is taken out too (print that lies inside a value's box, which a reading of the
    box alone would read as the value's)."""
    out, found_labels = None, []
    search = int(round(SEARCH_PT / scale))
    for lb in labels:
        x0, y0 = max(0, int(lb.x0 / scale) - search), max(0, int(lb.y0 / scale) - search)
        x1, y1 = min(image.shape[1], int(lb.x1 / scale) + search), min(image.shape[0], int(lb.y1 / scale) + search)
        if x1 - x0 < MIN_LABEL_PX or y1 - y0 < MIN_LABEL_PX:
            continue
        found = glyph_mask(image[y0:y1, x0:x1], lb.text, (lb.x1 - lb.x0) / scale)
        if found is None or found[0] < (ALONE_MATCH_MIN if alone else MATCH_MIN):
            continue
        _, left, top, drawn = found
        grow = max(1, int(round(EDGE_PT / scale)))
        drawn_at = np.zeros((y1 - y0, x1 - x0), dtype=np.float32)
        drawn_at[top:top + drawn.shape[0], left:left + drawn.shape[1]] = drawn / INK
        window = cv2.dilate((drawn_at >= GLYPH_LEVEL / INK).astype(np.uint8),
                            np.ones((2 * grow + 1, 2 * grow + 1), np.uint8))
        ink, glyphs = image[y0:y1, x0:x1] < DARK, window > 0
        rows, cols = slice(top, top + drawn.shape[0]), slice(left, left + drawn.shape[1])
        share = TYPED_OVER_SHARE if lb.typed_over else OVERPRINT_SHARE
        if not alone and (ink[rows, cols] & ~glyphs[rows, cols]).sum() < share * (ink & glyphs).sum():
            continue  # the label stands alone: nothing printed over it to set apart, the image stays as it is
        out = image.copy() if out is None else out
        out[y0:y1, x0:x1] = subtracted(out[y0:y1, x0:x1], drawn_at, scale=scale)
        found_labels.append(lb)
    return (image if out is None else out), found_labels


def subtracted(region: np.ndarray, drawn: np.ndarray, *, scale: float) -> np.ndarray:
    """``region`` (grey, dark print on paper; ``scale`` points a pixel) with the label drawn in ``drawn``
    (its glyphs where they were found, 0 paper to 1 ink) taken out of its print. The label's print is modelled
    as the drawn glyphs blurred by the one of BLURS_PT that fits the region's darkness on them best (a pixel's
    darkness: 0 at the region's paper, 1 at the label's ink). Where the model is at least CORE_LEVEL, whatever
    lay under the label is hidden: those pixels are filled from around them (inpainting, Telea's method).
    Elsewhere within the label's reach, a pixel no darker than the model by VALUE_MARGIN is the label's
    blurred edge and becomes paper; a darker one is a value's and stays."""
    paper = float(np.median(region))
    full = drawn >= GLYPH_LEVEL / INK
    black = float(np.percentile(region[full], INK_LEVEL_PCT)) if full.any() else 0.0
    dark = np.clip((paper - region.astype(np.float32)) / max(paper - black, 1.0), 0.0, 1.0)
    model, misfit = None, None
    for blur in BLURS_PT:
        blurred = cv2.GaussianBlur(drawn, (0, 0), blur / scale)
        blurred /= max(float(blurred.max()), np.finfo(np.float32).tiny)
        reach = blurred > MODEL_REACH
        if not reach.any():
            continue
        off = float(np.median(np.abs(dark - blurred)[reach]))
        if misfit is None or off < misfit:
            model, misfit = blurred, off
    if model is None:
        return region
    hidden = (model >= CORE_LEVEL).astype(np.uint8)
    out = region.copy()
    reach = (model > MODEL_REACH) & (hidden == 0)
    out[reach & (dark <= model + VALUE_MARGIN)] = int(round(paper))
    # what is left of the label's print beside its hidden core, narrower than SLIVER_PT where the drawn glyph's edge
    # missed the print's by a pixel, is no stroke of a value: it is paper too
    ink = (out < DARK).astype(np.uint8)
    sliver = max(1, int(round(SLIVER_PT / scale)))
    strokes = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((sliver, sliver), np.uint8))
    out[reach & (ink > 0) & (strokes == 0)] = int(round(paper))
    # a value's upright stroke (a stem, an ascender) that runs under a stroke of the label and out on its other side
    # runs on through it: the pixels between are the value's ink, not a gap the fill below would paint as paper
    crossed = _crossed(hidden > 0, out)
    hidden[crossed > 0] = 0
    out[crossed > 0] = crossed[crossed > 0]
    return cv2.inpaint(out, hidden, max(1.0, FILL_PT / scale), cv2.INPAINT_TELEA)


def _nearest_above(hidden: np.ndarray, image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each pixel, the grey of the nearest pixel of its column above it that is not ``hidden`` (255, paper,
    where there is none) and how many rows up it lies."""
    rows = np.arange(hidden.shape[0]).reshape(-1, 1)
    last = np.maximum.accumulate(np.where(~hidden, rows, -1), axis=0)
    above = np.full_like(last, -1)
    above[1:] = last[:-1]
    grey = np.where(above >= 0, np.take_along_axis(image, np.clip(above, 0, None), axis=0), 255)
    return grey, rows - above


def _framed(mask: np.ndarray) -> np.ndarray:
    """``mask`` (bool) as 0/1 with a frame of one background pixel around it: OpenCV's distance transform does not
    take the image's border for background, so a core touching the crop's edge would measure as far from its edge as
    the crop is wide (a 5-pixel bar: 5.7 pixels across inside the crop, 9.6 along its top edge)."""
    return np.pad(mask.astype(np.uint8), 1)


def _crossed(hidden: np.ndarray, image: np.ndarray) -> np.ndarray:
    """The ``hidden`` pixels (the label's core) lying on a value's upright stroke that the label's stroke crosses:
    the nearest pixels of their column outside the core, above and below, are both ink, and no farther apart than
    the label's thickest stroke is wide (twice the core's largest distance to its edge: a run longer than that lies
    along a stroke of the label, not across it). Each such pixel's grey is the two ends' mean; 0 elsewhere. (Across
    rows the same test, filling where the label's upright strokes lie along a value's, read fewer names right:
    docs/accuracy.md, scan2001e.)"""
    out = np.zeros(image.shape, dtype=np.uint8)
    if not hidden.any():
        return out
    widest = 2 * float(cv2.distanceTransform(_framed(hidden), cv2.DIST_L2, 3).max())
    top, up = _nearest_above(hidden, image)
    bottom, down = (np.flipud(a) for a in _nearest_above(np.flipud(hidden), np.flipud(image)))
    across = hidden & (top < DARK) & (bottom < DARK) & (up + down - 1 <= widest)
    out[across] = np.maximum((top[across].astype(np.int32) + bottom[across]) // 2, 1)  # 0 is kept for "not crossed"
    return out
