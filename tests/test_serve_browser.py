"""The review app in a real Chromium (Playwright, Debian's /usr/bin/chromium): filter the
queue, decide with the keyboard, reload, export gold; hostile content stays text.

Screenshots of the queue and an item page are saved under tests/artifacts/ (ignored by git).
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmqa.io.readers import RowError
from llmqa.serve import create_app
from llmqa.store.gold import read_gold
from serve_support import serve_data, workspace

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, dict[str, Path]]]:
    import uvicorn

    paths = workspace(tmp_path)
    app = create_app(serve_data(paths), paths["home"])
    port = _free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}", paths
    uv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(tmp_path: Path):
    if not Path(CHROMIUM).exists():
        pytest.skip("no chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(accept_downloads=True)
        yield context.new_page()
        context.close()
        browser.close()


def test_work_the_queue_with_the_keyboard(server, page, tmp_path: Path) -> None:
    base, _ = server
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(base + "/")
    assert "11 undecided of 11" in page.inner_text("#counts")
    page.fill("#analyst", "ana")
    page.select_option("#filter-clause", "HATE-1.1")
    page.click("#apply")
    page.wait_for_url("**/?*clause=HATE-1.1*")
    assert "3 undecided of 3" in page.inner_text("#counts")
    page.screenshot(path=str(ARTIFACTS / "queue.png"), full_page=True)

    page.keyboard.press("j")           # select the first row
    page.keyboard.press("Enter")       # open it
    page.wait_for_url("**/item/hate-0*")
    page.screenshot(path=str(ARTIFACTS / "item.png"), full_page=True)
    page.keyboard.press("c")           # confirm, move on
    page.wait_for_url("**/item/hate-1*")
    page.keyboard.press("3")           # the third label (allowed, hate, spam): spam
    page.wait_for_url("**/item/hate-2*")
    page.keyboard.press("e")           # escalate: the last one, back to the queue
    page.wait_for_url(base + "/?clause=HATE-1.1")

    page.reload()
    assert "0 undecided of 3" in page.inner_text("#counts")
    decisions = page.locator("#queue td.decision").all_inner_texts()
    assert decisions == ["confirm → hate (ana)", "correct → spam (ana)", "escalate (ana)"]

    with page.expect_download() as download:
        page.click("#export")
    gold_file = tmp_path / "gold.jsonl"
    download.value.save_as(gold_file)
    gold = list(read_gold(gold_file))
    assert not [g for g in gold if isinstance(g, RowError)]
    assert {(g.item_id, g.label, g.analyst) for g in gold if not isinstance(g, RowError)} == {
        ("hate-0", "hate", "ana"), ("hate-1", "spam", "ana")}


def test_script_content_shows_as_text(server, page) -> None:
    base, _ = server
    page.goto(base + "/item/xss")
    assert page.title() == "xss · llmqa review"  # the item's script did not run
    assert "<script>document.title='pwned'</script>" in page.inner_text("#content-text")
    page.goto(base + "/item/evil-media")
    assert page.locator("img.media").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "hostile-item.png"), full_page=True)
