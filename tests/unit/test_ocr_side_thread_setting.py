"""The worker's choice of a side thread for a page's side work: COI_OCR_SIDE_THREAD and COI_OCR_PAGE_THREADS."""

from __future__ import annotations

import pytest

from infra.settings import Settings
from pipeline.ocr import pages
from workers.actors import Stages


def _stages(**settings) -> Stages:
    return Stages(broker=None, settings=Settings(**settings), sessions=None, storage=None, ocr_engine=None,
                  redis=lambda: None, secret_box=lambda: None)


@pytest.mark.parametrize(("page_threads", "cores", "side"), [(0, 2, True), (1, 2, True), (2, 2, False), (4, 2, False),
                                                             (0, 1, False), (2, 4, True)])
def test_given_auto_then_a_side_thread_only_when_the_ocr_pools_leave_a_core_idle(monkeypatch, page_threads, cores,
                                                                                  side):
    from pipeline.ocr import pages

    monkeypatch.setattr(pages, "usable_cores", lambda: cores)
    assert _stages(ocr_page_threads=page_threads).side_thread is side


@pytest.mark.parametrize(("setting", "side"), [("on", True), ("off", False)])
def test_given_the_setting_on_or_off_then_it_decides_whatever_the_cores(monkeypatch, setting, side):
    from pipeline.ocr import pages

    for cores in (1, 2, 16):
        monkeypatch.setattr(pages, "usable_cores", lambda: cores)
        assert _stages(ocr_side_thread=setting, ocr_page_threads=2).side_thread is side


def test_given_the_environment_then_the_settings_read_it(monkeypatch):
    monkeypatch.setenv("COI_OCR_SIDE_THREAD", "off")
    monkeypatch.setenv("COI_OCR_PAGE_THREADS", "3")
    settings = Settings()
    assert (settings.ocr_side_thread, settings.ocr_page_threads) == ("off", 3)
    monkeypatch.setenv("COI_OCR_SIDE_THREAD", "sometimes")
    with pytest.raises(ValueError):
        Settings()


@pytest.mark.parametrize(("cpu_max", "quota"), [("200000 100000\n", 2), ("150000 100000\n", 2), ("50000 100000\n", 1),
                                                ("max 100000\n", None), ("", None)])
def test_given_a_cgroup_cpu_quota_then_the_usable_cores_are_no_more_than_it_allows(tmp_path, cpu_max, quota):
    path = tmp_path / "cpu.max"
    path.write_text(cpu_max)
    assert pages.quota_cores(path) == quota
    assert pages.usable_cores(path) == min(pages.usable_cores(tmp_path / "none"), quota or 10**6)


def test_given_a_quota_of_one_core_then_a_page_has_no_side_thread(tmp_path):
    path = tmp_path / "cpu.max"
    path.write_text("100000 100000\n")
    assert not pages.side_thread_helps(1, pages.usable_cores(path))
