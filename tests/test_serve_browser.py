"""The `ghplan serve` page in a real browser: Debian's headless Chromium driven by Selenium through
Debian's chromedriver (so Selenium Manager never downloads a browser), against the real server
started as `ghplan serve` on a free port with a token, the offline backend and no index.

Each test drives one tab as a cadre would: fill the draft form and watch the plan arrive, upload a
Word file and see its findings highlighted in place, apply the certain fixes, refresh last year's
plan, download the Word files and open them with python-docx. With GHPLAN_SCREENSHOTS=DIR set,
each tab's result is also saved as DIR/serve-<tab>.png (the README's screenshot comes from here).
"""
from __future__ import annotations

import base64
import importlib.util
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from tests.cli_helpers import GHPLAN
from tests.servers import answers, free_port, json_status_ok, running

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
TOKEN = "browser-test-token"
CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,1000", "--lang=zh-CN"]


def _why_skip() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (`scripts/install.sh test` installs Debian's chromium as root)"
    if not Path(CHROMEDRIVER).exists():
        return f"no chromedriver at {CHROMEDRIVER} (Debian's chromium-driver; `scripts/install.sh test`)"
    if importlib.util.find_spec("selenium") is None:
        return "selenium is not installed (the `test` extra: pip install '.[test]')"
    return None


if _why_skip():
    pytest.skip(_why_skip(), allow_module_level=True)

from docx import Document  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# ------------------------------------------------------------------ documents written for these tests
def _docx(paragraphs: list[str], path: Path) -> Path:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    doc.save(path)
    return path


def _plan(year: int, signed: int) -> list[str]:
    """A short hospital union plan with rot: a 20xx placeholder, a stale 十四五 and 十七大, Markdown bold."""
    return [
        f"某市第三人民医院工会{year}年工作计划",
        "一、指导思想",
        "以习近平新时代中国特色社会主义思想为指导，围绕“十四五”规划目标，团结带领全院职工建功立业。",
        "二、工作目标",
        "**全年目标**：20xx年职工入会率保持在97%以上，职工书屋借阅量稳步提高。",
        "三、主要任务",
        "（一）加强思想政治引领。组织职工学习党的十七大精神，开展劳模进病区宣讲4场。",
        "（二）做好帮扶救助。为困难职工建档立卡，春节前走访慰问一线护理人员。",
        "四、保障措施",
        "健全工会经费审查制度，加强工会干部培训。",
        "某市第三人民医院工会",
        f"{signed}年12月18日",
    ]


# ------------------------------------------------------------------ the server and the browser
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`ghplan serve` on a free port of 127.0.0.1 with a token, offline, with an empty store."""
    home = tmp_path_factory.mktemp("serve")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env.update(GHPLAN_STORE=str(home / "store"), XDG_DATA_HOME=str(home / "data"),
               XDG_CONFIG_HOME=str(home / "config"), HF_HUB_OFFLINE="1", GHPLAN_LANG="zh")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with running([GHPLAN, "serve", "--port", str(port), "--token", TOKEN],
                 lambda: answers(base + "/api/health", auth, json_status_ok), home / "serve.log",
                 env=env, cwd=home):
        yield base


@pytest.fixture(scope="module")
def downloads(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads):
    profile = tempfile.mkdtemp(prefix="ghplan-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROME_FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    # headless Chromium saves downloads only when told where, through the DevTools protocol
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser, server):
    """The page freshly loaded with the token in its address, its types loaded."""
    browser.get(f"{server}/#token={TOKEN}")
    browser.refresh()       # a hash-only change would not reload the page between tests
    _wait(browser, lambda d: len(Select(d.find_element(By.ID, "draft-type")).options) >= 7)
    return browser


def _wait(driver, condition, seconds: float = 60):
    return WebDriverWait(driver, seconds, poll_frequency=0.1).until(condition)


def _shown(driver, element_id: str) -> bool:
    return driver.find_element(By.ID, element_id).is_displayed()


def _download(driver, downloads: Path, button_id: str, suffix: str = ".docx") -> Path:
    before = set(downloads.iterdir())
    driver.find_element(By.ID, button_id).click()

    def arrived(_):
        new = [p for p in set(downloads.iterdir()) - before
               if p.suffix == suffix and not p.name.endswith(".crdownload")]
        return new[0] if new and new[0].stat().st_size > 0 else False
    path = _wait(driver, arrived, 30)
    time.sleep(0.2)  # the rename from .crdownload is the last step; let the size settle
    return path


def _screenshot(driver, name: str, element_id: str) -> None:
    """Saves the tab's result as $GHPLAN_SCREENSHOTS/serve-<name>.png when that is set."""
    folder = os.environ.get("GHPLAN_SCREENSHOTS")
    if not folder:
        return
    # the whole page down to the end of the result, in one image, beyond the window's height
    bottom = driver.execute_script(
        "const r = document.getElementById(arguments[0]).getBoundingClientRect();"
        "return Math.ceil(r.bottom + window.scrollY) + 24;", element_id)
    driver.execute_script("window.scrollTo(0, 0)")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": 1280, "height": min(bottom, 2400), "scale": 1}})
    Path(folder).mkdir(parents=True, exist_ok=True)
    (Path(folder) / f"serve-{name}.png").write_bytes(base64.b64decode(shot["data"]))


def _inserted_text(docx_path: Path) -> str:
    """The text of every tracked insertion (w:ins) in a Word file, read with python-docx."""
    body = Document(str(docx_path)).element.body
    return "".join(t.text or "" for ins in body.iter(f"{W_NS}ins") for t in ins.iter(f"{W_NS}t"))


def _marks(driver) -> list:
    return driver.find_elements(By.CSS_SELECTOR, "#review-doc mark.finding")


# ------------------------------------------------------------------ 起草
def test_draft_form_streams_sections_then_shows_findings_and_downloads(page, downloads):
    page.find_element(By.ID, "draft-org").send_keys("某市第三人民医院工会")
    Select(page.find_element(By.ID, "draft-type")).select_by_visible_text("医院")
    year = page.find_element(By.ID, "draft-year")
    assert int(year.get_attribute("value")) == time.gmtime().tm_year + 1      # next year by default
    year.clear()
    year.send_keys("2027")
    page.find_element(By.ID, "draft-members").send_keys("860")
    page.find_element(By.ID, "draft-departments").send_keys("急诊科、儿科、护理部")
    page.find_element(By.ID, "draft-priorities").send_keys("改善夜班职工休息条件")
    page.find_element(By.ID, "draft-events").send_keys("5月 护士节优秀护理团队表彰")
    # what the page showed, in order: each section as it arrived, the status line, the finished plan
    page.execute_script("""
        window.seen = [];
        const note = (what) => window.seen.push(what);
        // from the records, not the element: events of one network chunk arrive in one task,
        // and the observer then runs once, after the last of them
        new MutationObserver((rs) => rs.forEach((r) => r.addedNodes.forEach(() => note('section'))))
            .observe(document.getElementById('draft-sections'), {childList: true});
        new MutationObserver((rs) => rs.forEach((r) => r.addedNodes.forEach((n) => note('status:' + n.textContent))))
            .observe(document.getElementById('draft-status'), {childList: true, subtree: true});
        new MutationObserver(() => { if (!document.getElementById('draft-result').hidden) note('result'); })
            .observe(document.getElementById('draft-result'), {attributes: true});
    """)
    page.find_element(By.ID, "draft-run").click()

    _wait(page, lambda d: _shown(d, "draft-result"), 120)
    _wait(page, lambda d: d.find_element(By.ID, "draft-run").is_enabled())     # the stream has ended
    assert not _shown(page, "draft-error")
    sections = page.find_elements(By.CSS_SELECTOR, "#draft-sections .section")
    assert len(sections) >= 3, "the streamed sections were not shown"
    # folded away once the plan is done, but each kept with its heading and text
    assert all(s.find_element(By.TAG_NAME, "h3").get_attribute("textContent").strip() for s in sections)
    assert f"{len(sections)} 节" in page.find_element(By.ID, "draft-progress-title").text
    seen = page.execute_script("return window.seen")
    assert "result" in seen and seen.index("section") < seen.index("result"), "sections came only with the plan"
    assert any(x.startswith("status:撰写：") for x in seen[:seen.index("result")]), seen
    assert page.find_element(By.ID, "draft-status").text.startswith("完成")
    stages = page.find_elements(By.CSS_SELECTOR, "#draft-stages li")
    assert [s.text for s in stages][:4] == ["大纲", "分节撰写", "审校", "修改"]
    assert all("done" in s.get_attribute("class") for s in stages)
    plan = page.find_element(By.ID, "draft-doc").text
    assert "2027" in plan and "工作计划" in plan
    # the profile fields reached the draft
    assert "改善夜班职工休息条件" in plan and "护士节优秀护理团队表彰" in plan and "860" in plan
    assert page.find_elements(By.CSS_SELECTOR, "#draft-findings li"), "no findings (nor a clean note) shown"
    assert "错误" in page.find_element(By.ID, "draft-summary").text
    # how the draft was made, in Chinese with it: this server has no index, so no reference plans,
    # and the reason (the index layer's English line) is Chinese too
    notes = page.find_element(By.ID, "draft-notes")
    assert notes.is_displayed(), "the draft's notes were not shown"
    assert "未能检索范文" in notes.text and "还没有检索索引" in notes.text, notes.text
    assert "retrieval skipped" not in notes.text and "no index yet" not in notes.text, notes.text
    _screenshot(page, "draft", "draft-result")

    md = _download(page, downloads, "draft-md", ".md")
    assert md.read_text(encoding="utf-8").strip() == plan.strip()
    docx = _download(page, downloads, "draft-docx")
    paragraphs = [p.text for p in Document(str(docx)).paragraphs if p.text.strip()]
    assert any("2027" in p and "工作计划" in p for p in paragraphs[:3]), paragraphs[:3]


def test_an_event_without_a_month_is_refused_in_chinese_before_any_request(page):
    page.find_element(By.ID, "draft-org").send_keys("某市第三人民医院工会")
    page.find_element(By.ID, "draft-events").send_keys("护士节表彰")
    page.find_element(By.ID, "draft-run").click()
    _wait(page, lambda d: _shown(d, "draft-error"))
    assert "月份" in page.find_element(By.ID, "draft-error").text
    assert not _shown(page, "draft-stages") and not _shown(page, "draft-result")


# ------------------------------------------------------------------ 审校
def test_uploaded_docx_is_highlighted_fixed_and_downloaded_with_tracked_changes(page, downloads, tmp_path):
    plan = _docx(_plan(2027, 2026), tmp_path / "医院工会2027年计划.docx")
    page.find_element(By.ID, "tab-review").click()
    page.find_element(By.ID, "review-file").send_keys(str(plan))
    page.find_element(By.ID, "review-run").click()
    _wait(page, lambda d: _marks(d))
    assert not _shown(page, "review-error")

    marks = {m.text: m for m in _marks(page)}
    assert {"20xx", "十四五", "十七大"} <= set(marks), sorted(marks)
    placeholder = marks["20xx"]
    assert "sev-error" in placeholder.get_attribute("class")
    assert "sev-warning" in marks["**全年目标**"].get_attribute("class")     # coloured by severity
    assert "GH-PH-YEAR" in placeholder.get_attribute("title")
    # the whole text is there, findings in place: the words around a mark are the document's
    doc_text = page.find_element(By.ID, "review-doc").text
    assert "20xx年职工入会率保持在97%以上" in doc_text

    marks["十四五"].click()
    detail = page.find_element(By.ID, "review-detail").text
    assert "十五五" in detail and "GH-STALE-FYP-14" in detail
    assert "selected" in marks["十四五"].get_attribute("class")
    _screenshot(page, "review", "review-result")

    page.find_element(By.ID, "review-fix").click()
    _wait(page, lambda d: _shown(d, "review-fixed-note"))
    assert "“十四五”→“十五五”" in page.find_element(By.ID, "review-fixed-note").text
    fixed = page.find_element(By.ID, "review-doc").text
    assert "围绕“十五五”规划目标" in fixed and "十四五" not in fixed
    assert "党的二十大精神" in fixed
    assert "20xx" in fixed, "a placeholder is not a certain fix: it stays for a person"
    assert [m.text for m in _marks(page)].count("20xx") == 1

    assert _shown(page, "review-fix-docx")
    out = _download(page, downloads, "review-fix-docx")
    inserted = _inserted_text(out)
    assert "十五五" in inserted and "二十大" in inserted
    authors = {e.get(f"{W_NS}author") for e in Document(str(out)).element.body.iter(f"{W_NS}ins")}
    assert authors == {"ghplan"}


def test_pasted_markup_is_shown_as_text_never_as_html(page):
    page.find_element(By.ID, "tab-review").click()
    text = "某市第三人民医院工会20xx年工作计划\n<b id=\"injected\">加粗</b><img src=x onerror=\"window.pwned=1\">"
    page.find_element(By.ID, "review-text").send_keys(text)
    page.find_element(By.ID, "review-run").click()
    _wait(page, lambda d: _marks(d))
    assert page.find_elements(By.ID, "injected") == []
    assert page.find_elements(By.CSS_SELECTOR, "#review-doc img") == []
    assert page.execute_script("return window.pwned === undefined")
    assert '<b id="injected">加粗</b>' in page.find_element(By.ID, "review-doc").text


def test_overlapping_findings_are_cut_into_pieces_marked_by_the_worst(page):
    """Two findings over 甲乙丙丁: 乙丙 an error, 丙丁 a warning → 乙 (error), 丙 (both: error,
    marked as overlapping), 丁 (warning); the rest plain text."""
    findings = [{"rule": "R-A", "severity": "error", "start": 1, "end": 3, "text": "乙丙", "message": "甲"},
                {"rule": "R-B", "severity": "warning", "start": 2, "end": 4, "text": "丙丁", "message": "乙"}]
    pieces = page.execute_script("""
        const box = document.createElement('div');
        const aside = document.createElement('aside');
        renderHighlighted(box, aside, '甲乙丙丁戊', arguments[0]);
        return Array.from(box.childNodes).map(n => [n.textContent, n.nodeName === 'MARK' ? n.className : '']);
    """, findings)
    assert pieces == [["甲", ""], ["乙", "finding sev-error"], ["丙", "finding sev-error overlap"],
                      ["丁", "finding sev-warning"], ["戊", ""]]


def test_an_api_error_is_shown_in_chinese(page, tmp_path):
    bad = tmp_path / "坏文件.docx"
    bad.write_bytes(b"this is not a zip archive at all")
    page.find_element(By.ID, "tab-review").click()
    page.find_element(By.ID, "review-file").send_keys(str(bad))
    page.find_element(By.ID, "review-run").click()
    _wait(page, lambda d: _shown(d, "review-error"))
    message = page.find_element(By.ID, "review-error").text
    assert re.search(r"[\u4e00-\u9fff]", message), message
    assert "Traceback" not in message and not _shown(page, "review-result")


def test_without_the_token_the_page_says_so_in_chinese(browser, server):
    browser.get(f"{server}/")
    browser.refresh()
    _wait(browser, lambda d: _shown(d, "draft-error"))
    assert re.search(r"[\u4e00-\u9fff]", browser.find_element(By.ID, "draft-error").text)


# ------------------------------------------------------------------ 更新去年计划
def test_refresh_shows_the_diff_with_reasons_and_downloads_tracked_docx(page, downloads, tmp_path):
    old = _docx(_plan(2025, 2024), tmp_path / "医院工会2025年计划.docx")
    page.find_element(By.ID, "tab-refresh").click()
    page.find_element(By.ID, "refresh-file").send_keys(str(old))
    year = page.find_element(By.ID, "refresh-year")
    year.clear()
    year.send_keys("2027")
    page.find_element(By.ID, "refresh-run").click()
    _wait(page, lambda d: _shown(d, "refresh-result"), 90)
    assert not _shown(page, "refresh-error")

    changes = page.find_elements(By.CSS_SELECTOR, "#refresh-diff .change")
    pairs = {(c.find_element(By.TAG_NAME, "del").text, c.find_element(By.TAG_NAME, "ins").text)
             for c in changes if c.find_elements(By.TAG_NAME, "del") and c.find_elements(By.TAG_NAME, "ins")}
    assert {("2025", "2027"), ("十四五", "十五五"), ("20xx", "2027"), ("十七大", "二十大")} <= pairs, pairs
    assert all(c.get_attribute("title").strip() for c in changes), "a change without its reason"
    diff = page.find_element(By.ID, "refresh-diff").text
    assert "职工入会率保持在97%以上" in diff and "劳模进病区宣讲4场" in diff     # own facts kept
    rows = page.find_elements(By.CSS_SELECTOR, "#refresh-changes tr")
    assert len(rows) == len(changes)
    left = page.find_element(By.ID, "refresh-left").text
    assert "2024" in left, "the signature date is left for a person to confirm"
    _screenshot(page, "refresh", "refresh-result")

    out = _download(page, downloads, "refresh-docx")
    inserted = _inserted_text(out)
    assert "2027" in inserted and "十五五" in inserted
