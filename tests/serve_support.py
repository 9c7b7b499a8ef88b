"""Shared builders for the review-app tests (no tests here): a small batch with hostile
content, a triage queue file, guidelines and judge verdicts in a store."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import write_files
from llmqa.config import load_settings
from llmqa.items import Item
from llmqa.serve import ServeData, load
from llmqa.store.verdicts import VerdictStore
from llmqa.verdicts import Verdict, VerdictStatus
from llmqa.workspace import Workspace
from triage_support import GUIDELINE, item

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script>'
       '<rect width="10" height="10"/></svg>')


def batch() -> list[Item]:
    items = [item(f"spam-{n}", f"free download viral hits trending {n}", ["spam"] * 2 + ["allowed"],
                  project="music") for n in range(4)]
    items += [item(f"hate-{n}", f"group are vermin rats {n}", ["hate", "allowed", "hate"],
                   project="podcasts", clause={0: "HATE-1.1"}) for n in range(3)]
    items.append(item("xss", "<script>document.title='pwned'</script><img src=x onerror=alert(1)>",
                      ["allowed"] * 3, project="music"))
    items.append(Item.model_validate({
        "id": "evil-media", "project": "music",
        "content": {"modality": "image", "image_url": "javascript:alert(1)",
                    "caption": "an album cover"},
        "annotations": [{"annotator": "ann0", "label": "allowed"}]}))
    items.append(Item.model_validate({
        "id": "svg", "project": "music",
        "content": {"modality": "image", "image_path": "cover.svg"},
        "annotations": [{"annotator": "ann0", "label": "allowed"}]}))
    items.append(Item.model_validate({
        "id": "escape", "project": "music",
        "content": {"modality": "audio", "audio_path": "../../../../../../etc/passwd"},
        "annotations": [{"annotator": "ann0", "label": "allowed"}]}))
    return items


def workspace(root: Path) -> dict[str, Path]:
    """Items, queue and guidelines files under ``root``; verdicts stored in ``root/home``."""
    items = batch()
    (root / "cover.svg").write_text(SVG)
    items_file = root / "items.jsonl"
    items_file.write_text("".join(i.model_dump_json(exclude_none=True) + "\n" for i in items))
    guidelines = write_files(root / "guidelines", {"policy.md": GUIDELINE})
    # A queue as `llmqa triage -o queue.jsonl` writes it: the hate items first.
    order = [i for i in items if i.id.startswith("hate")] + [
        i for i in items if not i.id.startswith("hate")]
    queue = root / "queue.jsonl"
    queue.write_text("".join(json.dumps({
        "rank": n, "item_id": i.id, "kind": "error", "score": round(1 - n / 20, 3),
        "label": i.labels()[0], "clause_ids": ["HATE-1.1"] if i.id.startswith("hate") else [],
        "reason": f"likely error ({1 - n / 20:.2f})"}) + "\n" for n, i in enumerate(order, 1)))
    home = root / "home"
    with VerdictStore(home) as store:
        store.save_items(items)
        for i in items[:6]:
            store.save_verdict(Verdict(
                key=f"k-{i.id}", item_id=i.id, item_hash=i.content_hash(),
                guideline_version="v1", context_hash="c", prompt_hash="p", model="judge-x",
                status=VerdictStatus.OK, verdict="likely_error", confidence=0.8,
                suggested_label="allowed", human_label=i.labels()[0],
                rationale="<b>bold</b> claim", cited_clause_ids=["SPAM-1.1"]), run_id=None)
    return {"items": items_file, "queue": queue, "guidelines": guidelines, "home": home}


def serve_data(paths: dict[str, Path], queue: bool = True) -> ServeData:
    """The app's data from the queue file, or (``queue=False``) triaged at load, as
    ``llmqa serve`` without ``--queue`` does."""
    settings = load_settings(home=str(paths["home"]), guidelines=str(paths["guidelines"]))
    return load(str(paths["items"]), Workspace(settings),
                queue_path=paths["queue"] if queue else None)
