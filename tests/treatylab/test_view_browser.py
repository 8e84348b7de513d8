"""The viewer in a real headless browser: Debian's chromium + chromium-driver, via selenium.

The page is opened from a file:// URL with a fresh profile and background networking off, so
the only requests the browser could make are ones the page asks for. A loopback server counts
hits from markup planted in the transcript, and the DevTools performance log lists every
request the page made.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from treatylab.viewer import write_view

from tests.treatylab.viewer_helpers import HOSTILE_SEQ, planted_run

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="needs Debian's chromium and chromium-driver (.ci/run installs them)")
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1600,1000")


class Hits(BaseHTTPRequestHandler):
    paths: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        Hits.paths.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Hits)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()


@pytest.fixture(scope="module")
def page(server, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("view")
    run, hostile, canary = planted_run(tmp, port=server.server_address[1])
    notes = tmp / "notes.yaml"
    notes.write_text("2: Borealis prepares in private\nbargain: The haggling starts here\n", encoding="utf-8")
    out = write_view(run, tmp / "view.html", notes)
    return {"url": out.resolve().as_uri(), "hostile": hostile, "canary": canary, "run": run}


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="treatylab-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    from selenium.webdriver.chrome.service import Service

    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _open(browser, page, fragment: str = "") -> None:
    browser.get(page["url"] + fragment)
    browser.find_element(By.CSS_SELECTOR, "#current-body[data-seq]")


def _shown_seq(browser) -> int:
    return int(browser.find_element(By.ID, "current-body").get_attribute("data-seq"))


def _visible_text(browser) -> str:
    return browser.execute_script("return document.body.innerText")


def test_keyboard_and_buttons_step_through_events(browser, page) -> None:
    _open(browser, page)
    body = browser.find_element(By.TAG_NAME, "body")
    start = _shown_seq(browser)
    lines = (page["run"] / "transcript.jsonl").read_text().splitlines()
    first_public = next(e["seq"] for e in map(json.loads, lines) if e["visibility"] == "public")
    assert start == first_public, "the first public event opens the page (prepare is private)"
    body.send_keys(Keys.ARROW_RIGHT)
    after = _shown_seq(browser)
    assert after > start
    assert browser.execute_script("return location.hash") == f"#e={after}"
    body.send_keys(Keys.ARROW_LEFT)
    assert _shown_seq(browser) == start
    body.send_keys(Keys.END)
    last = _shown_seq(browser)
    assert "AGREEMENT" in browser.find_element(By.ID, "current-body").text or last > 200
    body.send_keys(Keys.HOME)
    assert _shown_seq(browser) == start
    browser.find_element(By.ID, "btn-next").click()
    assert _shown_seq(browser) == after
    # a link opens at its event; a timeline click jumps to the stage
    _open(browser, page, f"#e={after}")
    assert _shown_seq(browser) == after
    browser.find_element(By.CSS_SELECTOR, '.seg[data-stage="draft"]').click()
    shown = browser.find_element(By.ID, "current-body").text
    assert "Draft" in shown


def test_private_text_is_absent_until_revealed(browser, page) -> None:
    _open(browser, page)
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.END)
    canary = page["canary"]
    assert canary not in _visible_text(browser)
    assert "private note (hidden)" in _visible_text(browser)
    assert not browser.find_element(By.ID, "briefs").is_displayed()
    assert "PRIVATE INFORMATION SHOWN" not in _visible_text(browser)
    actor = next(json.loads(line)["actor"] for line in (page["run"] / "transcript.jsonl").read_text().splitlines()
                 if canary in line)
    other = "estvia" if actor != "estvia" else "aurelia"
    browser.find_element(By.ID, f"reveal-{other}").click()
    assert canary not in _visible_text(browser), "revealing another party shows only that party's notes"
    browser.find_element(By.ID, f"reveal-{actor}").click()
    text = _visible_text(browser)
    assert canary in text
    assert "PRIVATE INFORMATION SHOWN" in text
    assert browser.find_element(By.ID, "briefs").is_displayed()
    browser.find_element(By.ID, "reveal-all").click()  # all on, then all off again
    browser.find_element(By.ID, "reveal-all").click()
    assert canary not in _visible_text(browser)


def test_annotations_appear_at_their_events(browser, page) -> None:
    _open(browser, page)
    assert "The haggling starts here" not in _visible_text(browser)
    browser.find_element(By.CSS_SELECTOR, '.seg[data-stage="bargain"]').click()
    current = browser.find_element(By.ID, "current-body")
    notes = current.find_elements(By.CSS_SELECTOR, ".note")
    assert [n.text for n in notes] == ["The haggling starts here"]
    assert int(notes[0].get_attribute("data-seq")) == _shown_seq(browser)
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
    assert not browser.find_element(By.ID, "current-body").find_elements(By.CSS_SELECTOR, ".note")
    # a note on a private event is shown with it, once that party is revealed
    _open(browser, page, "#e=2")
    browser.find_element(By.ID, "reveal-borealis").click()
    assert "Borealis prepares in private" in browser.find_element(By.ID, "current-body").text


def test_hostile_markup_shows_as_text_and_never_runs(browser, page, server) -> None:
    _open(browser, page, f"#e={HOSTILE_SEQ}")
    assert _shown_seq(browser) == HOSTILE_SEQ
    shown = browser.find_element(By.CSS_SELECTOR, "#current-body .text").text
    assert shown == page["hostile"]
    assert browser.execute_script("return window.pwned === undefined")
    assert not browser.find_elements(By.CSS_SELECTOR, "#current-body img, #log img, #current-body script")
    assert Hits.paths == []


def test_no_network_request_is_made(browser, page, server) -> None:
    browser.get_log("performance")  # drain
    for fragment in ("", f"#e={HOSTILE_SEQ}"):
        _open(browser, page, fragment)
        body = browser.find_element(By.TAG_NAME, "body")
        for key in (Keys.END, Keys.HOME, Keys.ARROW_RIGHT):
            body.send_keys(key)
        browser.find_element(By.ID, "reveal-all").click()
        browser.find_element(By.CSS_SELECTOR, '.seg[data-stage="bargain"]').click()
    requests = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requests.append(message["params"]["request"]["url"])
    assert requests, "the performance log records the page load itself"
    assert {url.split("#")[0] for url in requests} == {page["url"]}
    assert Hits.paths == []
