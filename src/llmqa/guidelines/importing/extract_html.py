"""HTML to blocks with the standard library's parser: headings, paragraphs, list items and
table rows; scripts, styles and page chrome (nav, header, footer) left out."""

from __future__ import annotations

from html.parser import HTMLParser

from llmqa.guidelines.importing.blocks import Block, Extracted

_SKIP = {"script", "style", "nav", "header", "footer", "noscript", "template", "head"}
_BLOCKS = {"p", "div", "section", "article", "blockquote", "dd", "dt", "pre", "br"}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.title = ""
        self._skip = 0
        self._text: list[str] = []
        self._kind: str = "paragraph"
        self._level: int | None = None
        self._lists = 0
        self._bold_chars = 0
        self._bold = 0
        self._cells: list[str] | None = None
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self._flush()
            self._kind, self._level = "heading", int(tag[1])
        elif tag in {"ul", "ol"}:
            self._flush()
            self._lists += 1
        elif tag == "li":
            self._flush()
            self._kind = "item"
        elif tag == "tr":
            self._flush()
            self._cells = []
        elif tag in {"td", "th"}:
            self._text = []
        elif tag in {"b", "strong"}:
            self._bold += 1
        elif tag in _BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif tag in {"td", "th"} and self._cells is not None:
            self._cells.append(" ".join("".join(self._text).split()))
            self._text = []
        elif tag == "tr" and self._cells is not None:
            cells, self._cells = self._cells, None
            if any(cells):
                self.blocks.append(Block("row", " | ".join(cells), self.getpos()[0],
                                         cells=cells))
        elif tag in {"b", "strong"}:
            self._bold = max(0, self._bold - 1)
        elif tag in {"ul", "ol"}:
            self._flush()
            self._lists = max(0, self._lists - 1)
        elif tag in {"h1", "h2", "h3", "h4", "h5", "h6", "li"} or tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data.strip()
        if self._skip or self._in_title:
            return
        self._text.append(data)
        if self._bold:
            self._bold_chars += len(data.strip())

    def _flush(self) -> None:
        if self._cells is not None:
            return
        text = " ".join("".join(self._text).split())
        if text:
            bold = self._kind == "paragraph" and self._bold_chars >= len(text.replace(" ", ""))
            self.blocks.append(Block(self._kind, text, self.getpos()[0],  # type: ignore[arg-type]
                                     level=self._level, bold=bold,
                                     indent=max(0, self._lists - 1), marker="•"))
        self._text, self._bold_chars = [], 0
        self._kind, self._level = "paragraph", None

    def close(self) -> None:
        super().close()
        self._flush()


def extract_html(text: str, source: str) -> Extracted:
    reader = _Reader()
    reader.feed(text)
    reader.close()
    return Extracted(blocks=reader.blocks, source=source, title=reader.title)
