"""The tesseract wrapper: word table, OSD parsing, and its failure paths (timeout, crash, missing)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest

from pipeline.errors import PipelineError
from pipeline.ocr.engine import TesseractEngine, parse_osd, parse_tsv, tesseract_env
from pipeline.ocr.errors import OcrFailed, OcrTimeout

TSV = (
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
    "1\t1\t0\t0\t0\t0\t0\t0\t100\t50\t-1\t\n"
    "5\t1\t1\t1\t1\t1\t10\t12\t30\t8\t96.5\tEACH\n"
    "5\t1\t1\t1\t1\t2\t45\t12\t60\t8\t91.0\tOCCURRENCE\n"
    "5\t1\t1\t1\t2\t1\t10\t30\t5\t8\t12.0\t \n"
)


def _script(tmp_path: Path, body: str) -> str:
    path = tmp_path / "fake-tesseract"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_given_a_word_table_when_parsed_then_words_keep_boxes_confidences_and_lines():
    words = parse_tsv(TSV)
    assert [w.text for w in words] == ["EACH", "OCCURRENCE"]
    assert (words[0].left, words[0].top, words[0].right, words[0].bottom) == (10, 12, 40, 20)
    assert words[0].conf == 96.5 and words[0].line == words[1].line == (1, 1, 1)


def test_given_output_that_is_not_a_word_table_when_parsed_then_ocr_failed():
    with pytest.raises(OcrFailed):
        parse_tsv("Error: something\n")


def test_given_osd_output_when_parsed_then_the_turn_and_confidence_are_read():
    osd = parse_osd("Page number: 0\nOrientation in degrees: 270\nRotate: 90\nOrientation confidence: 7.31\n")
    assert (osd.rotate, osd.confidence) == (90, 7.31)
    assert parse_osd("Too few characters. Skipping this page").rotate == 0


def test_given_a_binary_slower_than_the_timeout_when_run_then_ocr_timeout_is_raised(tmp_path):
    engine = TesseractEngine(_script(tmp_path, "sleep 5"), timeout=0.3)
    with pytest.raises(OcrTimeout) as caught:
        engine.words(np.full((20, 20), 255, np.uint8), dpi=300)
    assert isinstance(caught.value, PipelineError) and not caught.value.transient  # reported, not retried
    assert "took longer than" in caught.value.message
    assert caught.value.__cause__ is not None  # raised from the subprocess timeout


def test_given_a_crashing_binary_when_run_then_ocr_failed_carries_its_stderr(tmp_path):
    engine = TesseractEngine(_script(tmp_path, "echo 'Error in pixReadMem' >&2; exit 3"))
    with pytest.raises(OcrFailed, match="pixReadMem"):
        engine.words(np.full((20, 20), 255, np.uint8), dpi=300)


def test_given_no_binary_when_run_then_ocr_failed_says_so(tmp_path):
    engine = TesseractEngine(str(tmp_path / "no-such-tesseract"))
    with pytest.raises(OcrFailed, match="could not be started"):
        engine.words(np.full((20, 20), 255, np.uint8), dpi=300)


def test_given_the_environment_when_tesseract_runs_then_it_has_one_thread(tmp_path, monkeypatch):
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    out = tmp_path / "env.txt"
    engine = TesseractEngine(_script(tmp_path, f'echo "$OMP_THREAD_LIMIT" > {out}; printf "level\\tpage_num\\n" > "$2.tsv"'))
    assert engine.words(np.full((20, 20), 255, np.uint8), dpi=300) == []
    assert out.read_text().strip() == "1"
    assert "OMP_THREAD_LIMIT" not in os.environ  # given to that run, not set for the process


def test_given_two_engines_then_each_runs_its_own_binary_with_its_own_environment(tmp_path):
    """Nothing process-wide (pytesseract's command, os.environ): engines side by side do not meet."""
    table = 'printf "level\\tpage_num\\n" > "$2.tsv"'
    first_dir, second_dir = tmp_path / "a", tmp_path / "b"
    first_dir.mkdir(), second_dir.mkdir()
    first = TesseractEngine(_script(first_dir, f'echo "one $COI_TEST_MARK" > {tmp_path}/one.txt; {table}'),
                            env={"COI_TEST_MARK": "first"})
    second = TesseractEngine(_script(second_dir, f'echo "two $COI_TEST_MARK" > {tmp_path}/two.txt; {table}'),
                             env={"COI_TEST_MARK": "second"})
    page = np.full((20, 20), 255, np.uint8)
    first.words(page, dpi=300), second.words(page, dpi=300), first.words(page, dpi=300)
    assert (tmp_path / "one.txt").read_text().strip() == "one first"
    assert (tmp_path / "two.txt").read_text().strip() == "two second"
    assert tesseract_env({"PATH": "/bin"}, threads=2) == {"PATH": "/bin", "OMP_THREAD_LIMIT": "2"}


@pytest.mark.tesseract
def test_given_a_printed_line_when_read_by_tesseract_then_its_words_come_back():
    import cv2

    image = np.full((120, 900), 255, np.uint8)
    cv2.putText(image, "EACH OCCURRENCE 1,000,000", (20, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 0, 3)
    words = TesseractEngine().words(image, dpi=300, psm=7)
    assert [w.text for w in words] == ["EACH", "OCCURRENCE", "1,000,000"]
    assert all(w.conf > 50 for w in words)


@pytest.mark.tesseract
def test_given_allowed_characters_when_read_by_tesseract_then_nothing_else_comes_back():
    import cv2

    image = np.full((120, 900), 255, np.uint8)
    cv2.putText(image, "EACH 1,000", (20, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 0, 3)
    words = TesseractEngine().words(image, dpi=300, psm=7, chars="0123456789,")
    assert words and all(set(w.text) <= set("0123456789,") for w in words)
    assert "1,000" in [w.text for w in words]


def _printed(text: str, width: int = 900):
    import cv2

    image = np.full((120, width), 255, np.uint8)
    cv2.putText(image, text, (20, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 0, 3)
    return image


@pytest.fixture
def library():
    """The in-process library (tesserocr over the system's libtesseract); the test is skipped without it."""
    from pipeline.ocr import inprocess

    loaded = inprocess.load()
    if loaded is None:
        pytest.skip("tesserocr is not installed")
    return loaded


def _no_binary(monkeypatch):
    import subprocess

    def refuse(*args, **kwargs):
        raise AssertionError("the binary was started")

    monkeypatch.setattr(subprocess, "run", refuse)


@pytest.mark.tesseract
def test_given_the_library_when_words_are_read_then_no_binary_runs_and_the_words_are_the_binarys(library, monkeypatch):
    image = _printed("EACH OCCURRENCE 1,000,000")
    by_binary = TesseractEngine(in_process=False).words(image, dpi=300, psm=7)
    _no_binary(monkeypatch)
    assert TesseractEngine().words(image, dpi=300, psm=7) == by_binary


@pytest.mark.tesseract
def test_given_a_call_with_allowed_characters_when_the_next_has_none_then_it_reads_as_the_binary_does(library,
                                                                                                     monkeypatch):
    image = _printed("EACH 1,000")
    by_binary = TesseractEngine(in_process=False).words(image, dpi=300, psm=7)
    engine = TesseractEngine()
    engine.words(image, dpi=300, psm=7, chars="0123456789,")
    _no_binary(monkeypatch)
    assert engine.words(image, dpi=300, psm=7) == by_binary


def test_given_no_library_when_words_are_read_then_the_binary_runs(monkeypatch, tmp_path):
    from pipeline.ocr import engine as engine_module

    monkeypatch.setattr(engine_module.inprocess, "load", lambda lang="eng": None)
    engine = TesseractEngine()
    ran = []
    monkeypatch.setattr(engine, "_run", lambda image, extension, lang, config: ran.append(config) or TSV)
    assert [w.text for w in engine.words(np.full((20, 20), 255, np.uint8), dpi=300)] == ["EACH", "OCCURRENCE"]
    assert ran and "--psm 3" in ran[0]


def test_given_another_binary_when_words_are_read_then_it_runs_not_the_library(monkeypatch, tmp_path):
    from pipeline.ocr import engine as engine_module

    monkeypatch.setattr(engine_module.inprocess, "load", lambda lang="eng": pytest.fail("the library was asked"))
    table = f"printf '{TSV}' > \"$2.tsv\"".replace("\n", "\\n")
    engine = TesseractEngine(_script(tmp_path, table))
    assert [w.text for w in engine.words(np.full((20, 20), 255, np.uint8), dpi=300)] == ["EACH", "OCCURRENCE"]


def test_given_one_thread_when_the_library_recognises_then_openmp_runs_no_region_in_parallel():
    from pipeline.ocr.inprocess import Library

    class OpenMP:
        levels: list[int] = []

        def omp_set_max_active_levels(self, levels):
            self.levels.append(levels)

    openmp = OpenMP()
    library = Library(tesserocr=None, openmp=openmp, lang="eng")
    library._cap_threads(1)
    library._cap_threads(4)
    assert openmp.levels == [0, 1]


@pytest.mark.tesseract
def test_given_the_library_when_a_read_outlasts_the_timeout_then_ocr_timeout_is_raised(library):
    with pytest.raises(OcrTimeout) as caught:
        TesseractEngine(timeout=0.0).words(_printed("EACH 1,000"), dpi=300, psm=7)
    assert not caught.value.transient and "took longer than" in caught.value.message


def test_given_an_image_larger_than_read_in_process_when_words_are_read_then_the_binary_runs(monkeypatch):
    from pipeline.ocr import engine as engine_module

    monkeypatch.setattr(engine_module, "IN_PROCESS_MAX_PIXELS", 300)
    monkeypatch.setattr(engine_module.inprocess, "load", lambda lang="eng": pytest.fail("the library was asked"))
    engine = TesseractEngine()
    ran = []
    monkeypatch.setattr(engine, "_run", lambda image, extension, lang, config: ran.append(image.shape) or TSV)
    engine.words(np.full((20, 20), 255, np.uint8), dpi=300)
    assert ran == [(20, 20)]


def test_given_a_read_by_the_binary_then_rows_are_pitch_tested_by_bit_count_and_no_line_is_read_inverted(tmp_path):
    """Tesseract's fast fixed-pitch test of a row, and no second reading of a doubtful line as white on black."""
    args = tmp_path / "args.txt"
    engine = TesseractEngine(_script(tmp_path, f'echo "$@" > {args}; printf "level\\tpage_num\\n" > "$2.tsv"'))
    engine.words(np.full((20, 20), 255, np.uint8), dpi=300, psm=6, chars="0123456789")
    given = args.read_text().split()
    for setting in ("textord_fast_pitch_test=1", "invert_threshold=0"):
        assert setting in given and given[given.index(setting) - 1] == "-c"


@pytest.mark.tesseract
def test_given_the_library_when_it_reads_then_its_engine_has_the_binarys_settings(library):
    """The same settings in process, so that the library reads as the binary does (the test above)."""
    TesseractEngine().words(_printed("EACH 1,000"), dpi=300, psm=7)
    api = library.handle()
    assert api.GetVariableAsString("textord_fast_pitch_test") in ("1", "true")
    assert float(api.GetVariableAsString("invert_threshold")) == 0.0


def test_given_a_tesseract_without_one_of_the_settings_then_the_library_says_so_and_reads_on(caplog):
    """An older tesseract has no ``invert_threshold``: its engine still loads, and the log says which setting it
    reads on its own default (``SetVariable`` says False; nothing else would tell)."""
    from pipeline.ocr.inprocess import SETTINGS, Library

    class Api:
        def __init__(self, **_kwargs):
            self.set = {}

        def SetVariable(self, name, value):  # noqa: N802 (tesserocr's name)
            self.set[name] = value
            return name != "invert_threshold"

        def End(self):  # noqa: N802
            pass

    class Tesserocr:
        PyTessBaseAPI = Api

        class OEM:
            LSTM_ONLY = 1

    library = Library(tesserocr=Tesserocr, openmp=None, lang="eng")
    with caplog.at_level("WARNING", logger="pipeline.ocr.inprocess"):
        api = library.handle()
    library.close()
    assert {name for name, _ in SETTINGS} <= set(api.set)
    assert [r.getMessage() for r in caplog.records] == [
        "tesseract has no setting invert_threshold: it reads with its own default"]
