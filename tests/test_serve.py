"""The review app over HTTP (Starlette's test client): pages, decisions, security."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from llmqa.errors import ConfigError
from llmqa.items import Item
from llmqa.serve import QueueFilter, check_bind, create_app, listen
from llmqa.store.decisions import DecisionStore
from llmqa.store.gold import gold_labels
from llmqa.store.verdicts import VerdictStore
from serve_support import serve_data, workspace


@pytest.fixture
def paths(tmp_path: Path) -> dict[str, Path]:
    return workspace(tmp_path)


def _client(paths: dict[str, Path], token: str | None = None) -> TestClient:
    return TestClient(create_app(serve_data(paths), paths["home"], token=token),
                      base_url="http://127.0.0.1:8765")


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)


def test_queue_in_priority_order_with_filters_and_counts(paths: dict[str, Path]) -> None:
    with _client(paths) as client:
        page = client.get("/").text
        assert "11 undecided of 11" in page
        ids = re.findall(r'data-item="([^"]+)"', page)
        assert ids[:3] == ["hate-0", "hate-1", "hate-2"]
        assert re.findall(r'data-item="([^"]+)"', client.get("/?clause=HATE-1.1").text) == [
            "hate-0", "hate-1", "hate-2"]
        assert "3 undecided of 3" in client.get("/?clause=HATE-1.1").text
        assert len(re.findall("data-item=", client.get("/?project=music&label=spam").text)) == 4
        assert "undecided of 6" in client.get("/?verdict=likely_error").text
        assert "undecided of 3" in client.get("/?annotator=ann2&project=podcasts").text


def test_decide_records_gold_moves_on_and_keeps_history(paths: dict[str, Path]) -> None:
    with _client(paths) as client:
        page = client.get("/item/hate-0?clause=HATE-1.1").text
        assert "HATE-1.1" in page and "Dehumanising comparisons" in page  # clause rendered
        assert "group are rats vermin crawling disease" in page           # with its examples
        assert "&lt;b&gt;bold&lt;/b&gt; claim" in page                    # rationale escaped
        form = {"csrf": _csrf(page), "analyst": "ana", "choice": "label:allowed",
                "clause": "HATE-1.1"}
        moved = client.post("/item/hate-0/decide", data=form, follow_redirects=False)
        assert moved.status_code == 303
        assert moved.headers["location"] == "/item/hate-1?clause=HATE-1.1"
        client.post("/item/hate-0/decide", data=form | {"choice": "confirm"})
        assert "2 undecided of 3" in client.get("/?clause=HATE-1.1").text
        undecided = client.get("/?clause=HATE-1.1&undecided=1").text
        assert "hate-0" not in re.findall(r'data-item="([^"]+)"', undecided)
        export = client.get("/export/gold.jsonl")
        assert '"id": "hate-0"' in export.text and '"decision": "confirm"' in export.text
        # The same rows for a spreadsheet, read back by the gold reader.
        sheet = client.get("/export/gold.csv")
        assert sheet.headers["content-type"].startswith("text/csv")
        assert sheet.content.startswith(b"\xef\xbb\xbfid,decision,label,")
        (paths["home"] / "gold.csv").write_bytes(sheet.content)
        assert gold_labels(paths["home"] / "gold.csv") == ({"hate-0": "hate"}, [])
    with VerdictStore(paths["home"]) as store:
        history = DecisionStore(store).history("hate-0")
    assert [(d.decision.value, d.label, d.source) for d in history] == [
        ("correct", "allowed", "serve"), ("confirm", "hate", "serve")]
    assert history[0].model == "judge-x" and history[0].clause_ids == ["HATE-1.1", "SPAM-1.1"]
    # A new start shows the decision (settled stays settled).
    with _client(paths) as client:
        assert "10 undecided of 11" in client.get("/").text


def test_analyst_name_is_required(paths: dict[str, Path]) -> None:
    with _client(paths) as client:
        csrf = _csrf(client.get("/item/spam-0").text)
        refused = client.post("/item/spam-0/decide", data={"csrf": csrf, "analyst": " ",
                                                           "choice": "confirm"})
        assert refused.status_code == 400 and "analyst" in refused.text


def test_csrf_refusals(paths: dict[str, Path]) -> None:
    with _client(paths) as client:
        csrf = _csrf(client.get("/item/spam-0").text)
        form = {"analyst": "ana", "choice": "confirm"}
        assert client.post("/item/spam-0/decide", data=form).status_code == 403
        assert client.post("/item/spam-0/decide", data=form | {"csrf": "guess"}
                           ).status_code == 403
        cross = client.post("/item/spam-0/decide", data=form | {"csrf": csrf},
                            headers={"Origin": "http://evil.example"})
        assert cross.status_code == 403
        assert client.get("/").text.count("undecided of 11") == 1
        assert "11 undecided of 11" in client.get("/").text


def test_token_refusals(paths: dict[str, Path]) -> None:
    with _client(paths, token="s3cret") as client:
        assert client.get("/").status_code == 401
        assert client.get("/export/gold.jsonl").status_code == 401
        assert client.get("/static/app.js").status_code == 401
        assert client.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        entry = client.get("/?token=s3cret&clause=HATE-1.1", follow_redirects=False)
        assert entry.status_code == 303 and entry.headers["location"] == "/?clause=HATE-1.1"
        assert "httponly" in entry.headers["set-cookie"].lower()
        assert client.get("/").status_code == 200  # the cookie now carries it


def test_bind_rules() -> None:
    check_bind("127.0.0.1", None)
    check_bind("::1", None)
    check_bind("localhost", None)
    with pytest.raises(ConfigError, match="token"):
        check_bind("0.0.0.0", None)
    check_bind("0.0.0.0", "t")


def test_listen_binds_before_any_work_and_names_a_port_in_use() -> None:
    with listen("127.0.0.1", 0, None) as sock:  # 0: a free port, whose number is printed
        port = sock.getsockname()[1]
        assert port > 0
        with pytest.raises(ConfigError, match=f"port {port} on 127.0.0.1 is in use") as caught:
            listen("127.0.0.1", port, None)
        assert caught.value.describe(lambda name: f"--{name}") == (
            f"port {port} on 127.0.0.1 is in use; pick another with --port (0: any free port)")
    with pytest.raises(ConfigError, match="token"):
        listen("0.0.0.0", 0, None)


def test_cli_serve_on_a_busy_port_fails_before_loading(tmp_path: Path) -> None:
    import subprocess
    import sys

    with listen("127.0.0.1", 0, None) as sock:
        done = subprocess.run(
            [sys.executable, "-m", "llmqa", "serve", str(tmp_path / "no-such-items.jsonl"),
             "--port", str(sock.getsockname()[1]), "--home", str(tmp_path / "home")],
            capture_output=True, text=True, timeout=120)
    # Exit 2 with one line, before the items are read (they do not even exist).
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith("error: port ") and "--port" in done.stderr


def test_cli_serve_on_port_0_prints_the_port_it_got(paths: dict[str, Path]) -> None:
    import subprocess
    import sys
    import urllib.request

    app = subprocess.Popen(
        [sys.executable, "-m", "llmqa", "serve", str(paths["items"]), "--queue",
         str(paths["queue"]), "-g", str(paths["guidelines"]), "--home", str(paths["home"]),
         "--port", "0"], stderr=subprocess.PIPE, text=True)
    try:
        assert app.stderr is not None
        lines: list[str] = []
        found = None
        while found is None and (line := app.stderr.readline()):  # notes may come first
            lines.append(line)
            found = re.search(r"review app on http://127\.0\.0\.1:(\d+)/", line)
        assert found and found.group(1) != "0", lines
        with urllib.request.urlopen(f"http://127.0.0.1:{found.group(1)}/", timeout=30) as page:
            assert page.status == 200 and b"hate" in page.read()
    finally:
        app.terminate()
        app.wait(timeout=30)


def test_hostile_content_is_inert(paths: dict[str, Path]) -> None:
    with _client(paths) as client:
        page = client.get("/item/xss")
        assert "<script>document" not in page.text
        assert "&lt;script&gt;document.title=" in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        evil = client.get("/item/evil-media").text
        assert 'src="javascript:' not in evil and "not a web address" in evil
        svg = client.get("/media/svg/image")
        assert svg.headers["content-type"].startswith("image/svg+xml")
        assert "sandbox" in svg.headers["content-security-policy"]
        assert client.get("/media/xss/image").status_code == 404
        assert client.get("/media/escape/audio").status_code == 404  # outside the items folder


def test_media_outside_the_items_folder_is_served_only_under_a_named_root(
        tmp_path: Path) -> None:
    # Label Studio's uploads (import label-studio --media-root) lie in its own folder.
    from llmqa.config import load_settings
    from llmqa.serve import load
    from llmqa.workspace import Workspace
    from review_helpers import png_bytes

    (tmp_path / "batch").mkdir()
    paths = workspace(tmp_path / "batch")
    upload = tmp_path / "ls-media" / "upload" / "3" / "ab-cover.png"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(png_bytes())
    item = Item.model_validate({"id": "ls-1", "content": {"image_path": str(upload)},
                                "annotations": [{"annotator": "a", "label": "allowed"}]})
    with paths["items"].open("a") as handle:
        handle.write(item.model_dump_json(exclude_none=True) + "\n")
    settings = load_settings(home=str(paths["home"]), guidelines=str(paths["guidelines"]))
    for roots, status in (((), 404), ((tmp_path / "ls-media",), 200)):
        data = load(str(paths["items"]), Workspace(settings), queue_path=paths["queue"],
                    media_roots=roots)
        with TestClient(create_app(data, paths["home"]),
                        base_url="http://127.0.0.1:8765") as client:
            assert client.get("/media/ls-1/image").status_code == status
            assert client.get("/media/escape/audio").status_code == 404
            assert client.get("/media/svg/image").status_code == 200  # the items folder's


def test_filter_query_round_trip() -> None:
    f = QueueFilter.from_query({"clause": "A", "undecided": "1", "label": ""})
    assert f.query() == {"clause": "A", "undecided": "1"}


def test_ids_filter_opens_exactly_those_items(paths: dict[str, Path]) -> None:
    with _client(paths) as client:
        page = client.get("/?ids=spam-2,hate-1,nope").text
        assert re.findall(r'data-item="([^"]+)"', page) == ["hate-1", "spam-2"]
        assert "2 undecided of 2" in page and "3 chosen items" in page


def test_without_a_queue_file_the_items_are_triaged_at_start(
        paths: dict[str, Path], cli_fake_embedder: object) -> None:
    # `llmqa serve ITEMS` without --queue: the queue `llmqa triage` would write, decided items
    # kept in it (marked by the app), every item reachable.
    from llmqa.store.decisions import decide

    with VerdictStore(paths["home"]) as store:
        decide(store, "spam-1", analyst="ana", label="spam")
    data = serve_data(paths, queue=False)
    ranked = [row for row in data.queue.rows if row.triage]
    assert len(data.queue.rows) == len(ranked) == 11
    assert any(row.item_id == "spam-1" for row in ranked)
    assert any("judge: 6 verdicts" in note for note in data.notes)
    with TestClient(create_app(data, paths["home"]), base_url="http://127.0.0.1:8765") as client:
        assert client.get("/").status_code == 200


def test_every_label_has_a_button_and_unknown_labels_are_refused(paths: dict[str, Path]) -> None:
    data = serve_data(paths)
    # Without guidelines every label of the batch is offered; more than there are number keys.
    data.guidelines, data.labels = None, data.labels + [f"extra{n}" for n in range(10)]
    with TestClient(create_app(data, paths["home"]), base_url="http://127.0.0.1:8765") as client:
        page = client.get("/item/spam-0").text
        assert '<button type="submit" name="choice" value="label:extra9">extra9</button>' in page
        assert 'data-key="9"' in page and 'data-key="10"' not in page
        form = {"csrf": _csrf(page), "analyst": "ana"}
        refused = client.post("/item/spam-0/decide", data=form | {"choice": "label:spma"})
        assert refused.status_code == 400 and "unknown label" in refused.text
        client.post("/item/spam-0/decide", data=form | {"choice": "label:extra9"})
    with VerdictStore(paths["home"]) as store:
        [made] = DecisionStore(store).history("spam-0")
    assert (made.decision.value, made.label) == ("correct", "extra9")


def test_with_guidelines_an_item_is_offered_their_labels_and_its_own(
        paths: dict[str, Path]) -> None:
    # As `llmqa decide` rules: a label one annotator made up elsewhere in the batch is no
    # choice for this item, while this item's own annotators' labels are.
    data = serve_data(paths)
    xss = data.queue.items["xss"]
    odd = xss.annotations[0].model_copy(update={"label": "music_promo"})
    data.queue.items["xss"] = xss.model_copy(update={"annotations": [odd, *xss.annotations[1:]]})
    with TestClient(create_app(data, paths["home"]), base_url="http://127.0.0.1:8765") as client:
        assert 'value="label:music_promo"' in client.get("/item/xss").text
        page = client.get("/item/spam-0").text
        assert 'value="label:music_promo"' not in page and 'value="label:hate"' in page
        refused = client.post("/item/spam-0/decide", data={
            "csrf": _csrf(page), "analyst": "ana", "choice": "label:music_promo"})
        assert refused.status_code == 400 and "unknown label" in refused.text


def test_a_crowd_of_annotators_is_a_text_filter_with_suggestions(tmp_path: Path) -> None:
    # MD-Agreement has 670 annotators: a menu of them all cannot be used; typing narrows a
    # suggestion list, and the chosen annotator filters as before.
    paths = workspace(tmp_path)
    crowd = [Item.model_validate({
        "id": f"c{n}", "project": "crowd", "content": {"modality": "text", "text": f"t {n}"},
        "annotations": [{"annotator": f"crowd{n:03d}", "label": "allowed"},
                        {"annotator": f"crowd{n + 1:03d}", "label": "spam"}]})
        for n in range(60)]
    with paths["items"].open("a") as f:
        f.writelines(i.model_dump_json() + "\n" for i in crowd)
    with _client(paths) as client:
        page = client.get("/").text
        assert '<input name="annotator" id="filter-annotator" list="values-annotator"' in page
        assert page.count('<option value="crowd0') == 61
        assert 'placeholder="(any of 64: type)"' in page  # 61 of the crowd, ann0 to ann2
        assert '<select name="project" id="filter-project">' in page
        chosen = client.get("/?annotator=crowd007").text
        assert 'value="crowd007" placeholder' in chosen
        assert sorted(re.findall(r'data-item="([^"]+)"', chosen)) == ["c6", "c7"]
