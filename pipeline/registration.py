"""How the OCR stage put a scanned page into the frame its words are in, found once and stored.

A scanned or photographed page is squared up (a photo), turned upright, levelled, and registered to
the form's template. :class:`PageRegistration` keeps those answers with the reading (``reading.json``,
``Page.registration``), so that later steps use them instead of running orientation detection or
registration again: the annotated page image its turn, levelling and squaring up; the field reader
(:func:`pipeline.acord25.identify.registered`) its fit to the template, block by block
(:class:`StoredFit`). The fits are kept at full precision: the reader given them places every field
box exactly where the fit found in the extract step would.

Points are the reading's own (top-left origin). For a photographed sheet, ``corners`` are the sheet's
corners in points of the page as rasterised (before squaring up).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class StoredFit:
    """One block's fit to the template, as :class:`pipeline.acord25.template.BlockFit` holds it."""

    transform: tuple[float, float, float, float]  # template -> page: sx, tx, sy, ty
    residual: float  # points: the largest error of an agreeing anchor
    anchors: int  # labels and rules agreeing with the fit
    own: bool  # fitted on the block's own labels (False: the page-wide fit, borrowed)
    rules: int = 0  # of the anchors, how many are ruled lines

    def to_dict(self) -> dict[str, Any]:
        return {"transform": list(self.transform), "residual": self.residual, "anchors": self.anchors,
                "own": self.own, "rules": self.rules}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "StoredFit":
        return cls(transform=tuple(float(v) for v in data["transform"]),  # type: ignore[arg-type]
                   residual=float(data["residual"]), anchors=int(data["anchors"]), own=bool(data["own"]),
                   rules=int(data.get("rules") or 0))


@dataclass(frozen=True)
class PageRegistration:
    """One page's way from the raster to the reading's frame, and its fit to the template."""

    turn: int  # degrees clockwise the page was turned to stand upright: 0, 90, 180 or 270
    turned_by: str  # what decided the turn: "rules" (the form's ruled lines), "osd" (tesseract)
    skew: float  # degrees (counter-clockwise positive) the turned page was levelled by
    size: tuple[float, float]  # (width, height) of the page in points, after the turn
    corners: tuple[tuple[float, float], ...] | None = None  # a photographed sheet's corners, clockwise from top left
    edition: str | None = None  # the template the page registered to; None when it did not register
    transform: tuple[float, float, float, float] | None = None  # the page-wide fit, template -> page: sx, tx, sy, ty
    residual: float | None = None  # points: the largest error of an agreeing anchor of that fit
    anchors: int = 0  # labels and rules agreeing with that fit
    template: str | None = None  # a digest of the template file the fits are to (identify.template_digest)
    # every block's own fit (or the page-wide one it borrowed), by the template's block names: what the field
    # reader places field boxes by. None in readings stored before they were kept: the reader registers again.
    blocks: dict[str, StoredFit] | None = field(default=None, hash=False)

    @property
    def page_fit(self) -> StoredFit | None:
        """The page-wide fit as a :class:`StoredFit` (never fitted on a block's own labels); None unregistered."""
        if self.transform is None or self.residual is None:
            return None
        return StoredFit(self.transform, self.residual, self.anchors, False)

    def to_template(self, x: float, y: float) -> tuple[float, float] | None:
        """A point of the page in the template's frame (the inverse of ``transform``); None unregistered."""
        if self.transform is None:
            return None
        sx, tx, sy, ty = self.transform
        return (x - tx) / sx, (y - ty) / sy

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"turn": self.turn, "turned_by": self.turned_by, "skew": self.skew,
                               "size": list(self.size)}
        if self.corners is not None:
            out["corners"] = [list(c) for c in self.corners]
        if self.edition is not None:
            out.update(edition=self.edition, transform=list(self.transform or ()), residual=self.residual,
                       anchors=self.anchors)
        if self.template is not None:
            out["template"] = self.template
        if self.blocks is not None:
            out["blocks"] = {name: fit.to_dict() for name, fit in self.blocks.items()}
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "PageRegistration":
        corners = data.get("corners")
        transform = data.get("transform")
        blocks = data.get("blocks")
        return cls(
            turn=int(data["turn"]),
            turned_by=str(data["turned_by"]),
            skew=float(data["skew"]),
            size=(float(data["size"][0]), float(data["size"][1])),
            corners=tuple((float(x), float(y)) for x, y in corners) if corners else None,
            edition=data.get("edition"),
            transform=tuple(float(v) for v in transform) if transform else None,  # type: ignore[arg-type]
            residual=None if data.get("residual") is None else float(data["residual"]),
            anchors=int(data.get("anchors") or 0),
            template=data.get("template"),
            blocks={name: StoredFit.from_dict(fit) for name, fit in blocks.items()} if blocks is not None else None,
        )
