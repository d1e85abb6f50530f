"""The OCR stage's memory-saving steps give what the plain ones give (synthetic images, no tesseract).

A page's labels are 16-bit (half the memory) unless a mask has too many runs; uneven lighting is evened out in
place (two page-sized float arrays, not five); the words in a zone are found without layoutparser's elements,
which import pandas (docs/scaling.md, ocrmem).
"""

from __future__ import annotations

import subprocess
import sys

import cv2
import numpy as np
import pytest

from pipeline.ocr import photo
from pipeline.ocr.rules import components


def _plain(mask: np.ndarray):
    return cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=cv2.CV_32S)


def test_given_a_page_of_runs_then_its_labels_take_16_bits_and_are_the_32_bit_ones():
    mask = np.zeros((1100, 850), dtype=np.uint8)
    for y in range(20, 1080, 37):
        mask[y:y + 2, 30:820] = 255
    mask[np.random.default_rng(3).random(mask.shape) < 0.01] = 255
    count, labels, stats, centroids = components(mask)
    want = _plain(mask)
    assert labels.dtype == np.uint16
    assert count == want[0] > 1000
    assert np.array_equal(labels, want[1]) and np.array_equal(stats, want[2]) and np.array_equal(centroids, want[3])


def test_given_more_runs_than_16_bits_number_then_they_are_labelled_in_32_bits_alike():
    mask = np.zeros((600, 600), dtype=np.uint8)
    mask[::2, ::2] = 255  # 90,000 dots, none touching another
    count, labels, stats, _ = components(mask)
    want = _plain(mask)
    assert count == want[0] == 90_001
    assert labels.dtype == np.int32 and np.array_equal(labels, want[1]) and np.array_equal(stats, want[2])


@pytest.mark.parametrize("seed", range(3))
def test_given_uneven_lighting_then_the_evened_page_is_the_plain_formulas(seed):
    rng = np.random.default_rng(seed)
    h, w = 700, 540
    page = np.full((h, w), 235, dtype=np.float32)
    page[rng.random((h, w)) < 0.05] = 40  # print
    shade = np.linspace(0.45, 1.0, w, dtype=np.float32)[None, :] * np.linspace(1.0, 0.8, h, dtype=np.float32)[:, None]
    image = (page * shade).astype(np.uint8)
    got = photo.even_lighting(image, 100.0)
    # the formula as it stood, on the same paper estimate (that step is the function's own, unchanged)
    factor = min(1.0, 600 / max(h, w))
    small = cv2.resize(image, (int(w * factor), int(h * factor)), interpolation=cv2.INTER_AREA)
    k = max(3, int(100.0 * factor / 6) | 1)
    paper = cv2.GaussianBlur(cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8)), (0, 0), k)
    paper = cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    want = np.clip(image.astype(np.float32) * (photo.PAPER / np.maximum(paper, 1.0)), 0, 255).astype(np.uint8)
    assert got is not image and np.array_equal(got, want)


def _runs_clean(script: str) -> None:
    """``script`` run in a fresh interpreter (what it imports is its own) ends well."""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_given_a_zone_when_its_words_are_found_then_pandas_is_not_imported():
    script = ("import sys\n"
              "from types import SimpleNamespace as Box\n"
              "from pipeline.ocr.blocks import words_in\n"
              "from pipeline.textlayer import Word\n"
              "words = [Word('LIMIT', 10, 10, 40, 18), Word('EACH', 50, 10, 80, 18)]\n"
              "assert [w.text for w in words_in(words, Box(x0=5, y0=5, x1=45, y1=20), margin=3)] == ['LIMIT']\n"
              "assert 'pandas' not in sys.modules, 'pandas was imported'\n")
    _runs_clean(script)


def test_given_the_actors_declared_then_the_services_an_ocr_pool_never_runs_are_not_imported():
    """An OCR pool imports ``workers.actors`` and runs only the OCR step: scoring (jsonschema), vendors and
    publishing (jinja2's notices) are imported where they run, not with the actors (docs/scaling.md, ocrmem3)."""
    script = ("import sys\n"
              "import workers.actors, workers.entry\n"
              "loaded = [m for m in ('workers.decisions', 'workers.vendors', 'workers.publish', 'jsonschema', 'jinja2')"
              " if m in sys.modules]\n"
              "assert not loaded, loaded\n")
    _runs_clean(script)


def test_given_an_app_built_and_its_actors_declared_then_the_secrets_cipher_is_not_imported_until_asked_for(tmp_path):
    """An OCR pool never opens a stored secret: cryptography's Fernet (~7 MB resident) is imported when the app's
    secret box is first asked for, not with the composition root (docs/scaling.md, ocrmem4)."""
    script = ("import sys\n"
              "from infra.bootstrap import App\n"
              "from infra.settings import Settings\n"
              "import workers.actors, workers.entry\n"
              f"app = App(Settings(var_dir={str(tmp_path)!r}, secret_key=''))\n"
              "assert 'cryptography.fernet' not in sys.modules, 'imported with the app'\n"
              "assert app.secrets.open(app.secrets.seal('s3cret')) == 's3cret'\n"
              "assert 'cryptography.fernet' in sys.modules\n")
    _runs_clean(script)
