"""pipeline/registration.py: a scanned page's registration, stored with the reading and read back."""

from __future__ import annotations

import io

from PIL import Image

from pipeline.filetypes import PNG
from pipeline.ocr import Orientation, ocr_pages
from pipeline.registration import PageRegistration
from pipeline.stages import Reading
from pipeline.textlayer import Page

REGISTERED = PageRegistration(turn=270, turned_by="rules", skew=-1.25, size=(612.0, 792.0),
                              corners=((10.0, 12.0), (600.0, 8.0), (604.0, 780.0), (6.0, 785.0)),
                              edition="2016/03", transform=(0.98, 4.0, 0.97, -2.5), residual=1.4, anchors=42)


def test_given_a_reading_with_registrations_when_stored_and_loaded_then_they_are_the_same():
    reading = Reading("ocr", (Page(1, 612.0, 792.0, (), registration=REGISTERED),
                              Page(2, 612.0, 792.0, (), registration=PageRegistration(0, "osd", 0.0, (612.0, 792.0)))))
    again = Reading.from_dict(reading.to_dict())
    assert [p.registration for p in again.pages] == [p.registration for p in reading.pages]


def test_given_a_reading_stored_before_registrations_were_kept_then_it_loads_without_them():
    old = {"method": "ocr", "pages": [{"number": 1, "width": 612, "height": 792, "words": [], "marks": []}]}
    [page] = Reading.from_dict(old).pages
    assert page.registration is None
    assert "registration" not in page.to_dict()


def test_given_a_page_point_then_to_template_undoes_the_fit():
    x, y = REGISTERED.to_template(0.98 * 100 + 4.0, 0.97 * 200 - 2.5)
    assert abs(x - 100) < 1e-9 and abs(y - 200) < 1e-9
    assert PageRegistration(0, "rules", 0.0, (612.0, 792.0)).to_template(1, 2) is None


class _Osd:
    """An engine that reads nothing and whose OSD says the page lies turned 90 degrees."""

    def __init__(self) -> None:
        self.asked = 0

    def words(self, image, *, dpi, psm=3, chars=None):
        return []

    def orientation(self, image, *, dpi):
        self.asked += 1
        return Orientation(90, 9.0)


def test_given_a_blank_page_lying_on_its_side_when_ocred_then_its_osd_turn_is_stored_with_the_page():
    """No ruled lines to go by: OSD decides, and the page keeps how it was turned."""
    buffer = io.BytesIO()
    Image.new("L", (3300, 2550), 255).save(buffer, "PNG", dpi=(300, 300))
    engine = _Osd()
    [page] = ocr_pages(buffer.getvalue(), PNG, max_pages=1, engine=engine)
    assert engine.asked >= 1
    assert page.registration is not None
    assert (page.registration.turn, page.registration.turned_by, page.registration.size) == (90, "osd", (612, 792))
    assert page.registration.edition is None  # a blank page registers to no template
