"""Assembling the page: sections, tables, the embedded charting library and the few lines of script.

The page is one file with nothing to fetch. plotly.js (about 4.8 MB) is embedded gzip-compressed
and base64-encoded (about 2 MB) and unpacked in the browser with the standard
``DecompressionStream``; the figures are plotly JSON drawn once it is loaded. A browser
without ``DecompressionStream`` (before 2023) says so on the page; every number is also in
the tables, which are plain HTML.
"""

from __future__ import annotations

import base64
import gzip
import html
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

import pandas as pd
import plotly.io as pio
from plotly.offline import get_plotlyjs, get_plotlyjs_version

from simulator.report.figures import Figure


@dataclass
class Section:
    """One section of the page: an anchor id, a heading, HTML placed under it, then figures.

    ``html`` is trusted markup (build it with :func:`esc` and :func:`table_html` from values
    that come from input); the figures are drawn in order after it.
    """

    id: str
    title: str
    html: str = ""
    figures: list[Figure] = field(default_factory=list)


def esc(value: object) -> str:
    """Return ``value`` as text escaped for HTML (names, descriptions, keys come from input)."""
    return html.escape(str(value), quote=True)


@cache
def plotly_js_gzip_base64() -> str:
    """Return plotly.js (the copy shipped in the plotly package) gzip-compressed and base64-encoded.

    ``mtime=0`` makes the bytes, and so the page, the same for the same inputs.
    """
    return base64.b64encode(gzip.compress(get_plotlyjs().encode("utf-8"), compresslevel=9, mtime=0)).decode("ascii")


def _json_for_html(text: str) -> str:
    # "<" only occurs inside JSON strings, where \u003c is the same character: no "</script>" can close the block
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def figures_json(figures: Sequence[Figure]) -> str:
    """Return ``{id: {data, layout}}`` of every figure as JSON safe inside a ``<script>`` element."""
    parts = [
        f"{json.dumps(f.id)}: {pio.to_json(f.figure, validate=False, pretty=False, remove_uids=True)}" for f in figures
    ]
    return _json_for_html("{" + ", ".join(parts) + "}")


def _cell(value: object, digits: int) -> tuple[str, str]:
    """Return (shown text, sort key) of a table cell."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        number = float(value)
        if number != number:  # NaN
            return "", ""
        return f"{number:,.{digits}f}", repr(number)
    return str(value), str(value)


def table_html(
    frame: pd.DataFrame,
    headers: Sequence[str],
    table_id: str,
    digits: dict[str, int] | None = None,
    sortable: bool = False,
) -> str:
    """Return ``frame`` as an HTML table with the given column headings (values escaped).

    Numbers are shown with thousands separators and ``digits`` decimals per column (default
    2) and carry their exact value in ``data-v`` so that sorting is numeric.
    """
    digits = digits or {}
    cls = ' class="sortable"' if sortable else ""
    head = "".join(f'<th scope="col" data-col="{i}">{esc(h)}</th>' for i, h in enumerate(headers))
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            shown, key = _cell(value, digits.get(column, 2))
            numeric = isinstance(value, float | int) and not isinstance(value, bool)
            attrs = f' data-v="{esc(key)}" class="num"' if numeric else ""
            cells.append(f"<td{attrs}>{esc(shown)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="scroll"><table id="{esc(table_id)}"{cls}><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;margin:0;color:#222;background:#fff;line-height:1.45}
header{padding:1.2rem 2rem .6rem;border-bottom:1px solid #ddd}
header h1{margin:0 0 .3rem;font-size:1.5rem}
nav{padding:.4rem 2rem;background:#f6f6f6;border-bottom:1px solid #ddd;position:sticky;top:0;z-index:10;font-size:.9rem}
nav a{margin-right:1rem;color:#0b5394;text-decoration:none}
main{padding:0 2rem 2rem;max-width:1300px}
section{margin-top:1.6rem}
h2{font-size:1.2rem;border-bottom:2px solid #0072B2;padding-bottom:.2rem}
figure{margin:1rem 0 1.6rem}
figcaption{font-size:.85rem;color:#333;max-width:1100px}
.plot{width:100%;min-height:300px}
table{border-collapse:collapse;font-size:.85rem}
th,td{border:1px solid #ccc;padding:.2rem .45rem;vertical-align:top}
th{background:#eef3f8;text-align:left}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th[aria-sort=ascending]::after{content:" \\25B2"}
table.sortable th[aria-sort=descending]::after{content:" \\25BC"}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.scroll{overflow:auto;max-height:34rem;margin:.6rem 0}
#scenarios-table td:nth-child(3){min-width:22rem}
.note{background:#fff7e0;border-left:4px solid #E69F00;padding:.4rem .8rem;font-size:.9rem}
.muted{color:#555;font-size:.85rem}
code{font-size:.85em;word-break:break-all}
input[type=search]{padding:.25rem .4rem;margin:.3rem 0;width:20rem;max-width:100%}
"""

SCRIPT = """
(function(){
  // sortable tables: click a heading; numbers sort by data-v
  document.querySelectorAll('table.sortable').forEach(function(table){
    table.querySelectorAll('th').forEach(function(th){
      th.addEventListener('click', function(){
        var col = +th.dataset.col, asc = th.getAttribute('aria-sort') !== 'ascending';
        table.querySelectorAll('th').forEach(function(o){ o.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        function key(r){ var c = r.cells[col], v = c.dataset.v; return v === undefined ? c.textContent : (v === '' ? NaN : +v); }
        rows.sort(function(a, b){
          var x = key(a), y = key(b), n = typeof x === 'number';
          if (n && isNaN(x)) return 1; if (n && isNaN(y)) return -1;
          var d = n ? x - y : String(x).localeCompare(String(y));
          return asc ? d : -d;
        });
        rows.forEach(function(r){ body.appendChild(r); });
      });
    });
  });
  document.querySelectorAll('input[data-filter]').forEach(function(input){
    input.addEventListener('input', function(){
      var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
      document.getElementById(input.dataset.filter).tBodies[0].querySelectorAll('tr').forEach(function(r){
        var t = r.textContent.toLowerCase();
        r.hidden = !words.every(function(w){ return t.indexOf(w) >= 0; });
      });
    });
  });
  // the charting library, unpacked from the page itself
  var status = document.getElementById('status');
  function failed(message){ status.textContent = message; status.hidden = false; document.body.dataset.drawn = 'failed'; }
  if (!('DecompressionStream' in window)) { failed(status.dataset.nodecompress); return; }
  var packed = atob(document.getElementById('plotly-gz').textContent.trim());
  var bytes = new Uint8Array(packed.length);
  for (var i = 0; i < packed.length; i++) bytes[i] = packed.charCodeAt(i);
  var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  new Response(stream).text().then(function(source){
    var s = document.createElement('script'); s.textContent = source; document.head.appendChild(s);
    var figures = JSON.parse(document.getElementById('figures').textContent), ids = Object.keys(figures);
    var config = {responsive: true, displaylogo: false, scrollZoom: false,
                  toImageButtonOptions: {format: 'png', scale: 2}};
    return ids.reduce(function(p, id){
      return p.then(function(){ return Plotly.newPlot(id, figures[id].data, figures[id].layout, config); });
    }, Promise.resolve()).then(function(){ status.hidden = true; document.body.dataset.drawn = String(ids.length); });
  }).catch(function(e){ failed(String(e)); console.error(e); });
})();
"""


def render_page(
    title: str, subtitle: str, sections: Sequence[Section], footer: str, lang: str, loading: str, no_decompress: str
) -> str:
    """Return the complete HTML page: sections in order, every figure placed, library and script inline."""
    nav = "".join(f'<a href="#{esc(s.id)}">{esc(s.title)}</a>' for s in sections)
    body = []
    figures: list[Figure] = []
    for section in sections:
        parts = [f'<section id="{esc(section.id)}"><h2>{esc(section.title)}</h2>', section.html]
        for figure in section.figures:
            parts.append(
                f'<figure><div class="plot" id="{esc(figure.id)}"></div>'
                f"<figcaption>{esc(figure.caption)}</figcaption></figure>"
            )
            figures.append(figure)
        parts.append("</section>")
        body.append("".join(parts))
    return f"""<!DOCTYPE html>
<html lang="{esc(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="siepac report; plotly.js {esc(get_plotlyjs_version())}">
<title>{esc(title)}</title>
<style>{STYLE}</style>
</head>
<body data-drawn="no">
<header><h1>{esc(title)}</h1><div class="muted">{esc(subtitle)}</div></header>
<nav>{nav}</nav>
<main>
<p id="status" class="note" data-nodecompress="{esc(no_decompress)}">{esc(loading)}</p>
{"".join(body)}
<footer class="muted"><p>{esc(footer)}</p></footer>
</main>
<script type="application/json" id="figures">{figures_json(figures)}</script>
<script type="application/octet-stream" id="plotly-gz">{plotly_js_gzip_base64()}</script>
<script>{SCRIPT}</script>
</body>
</html>
"""
