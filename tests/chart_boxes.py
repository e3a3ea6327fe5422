"""What a person sees of a Plotly chart: the on-screen boxes of its labels, measured in Chromium.

``label_problems(page)`` looks at every Plotly figure on a page and returns, in words, each label
(tick label, chart/axis/subplot title, legend entry, annotation, colorbar tick, text on a bar or
cell) that is drawn outside its figure or overlaps another label. An empty list is what a reader
can read. The boxes are ``getBoundingClientRect()`` of the SVG ``<text>`` elements plotly draws,
so they are what the browser laid out, not what the figure's JSON asked for.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

#: Pixels a label may poke past its figure or into another label (anti-aliasing, rounding).
TOLERANCE = 1.5

_MEASURE = """
(tol) => {
  const visible = (el) => {
    for (let e = el; e && e instanceof SVGElement; e = e.parentNode) {
      const cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.visibility === 'hidden' || parseFloat(cs.opacity) === 0) return false;
    }
    const r = el.getBoundingClientRect();
    return r.width > 0.5 && r.height > 0.5 && (el.textContent || '').trim() !== '';
  };
  const kind = (el) => {
    const g = el.closest('g[class]');
    return (el.getAttribute('class') || '') + (g ? ' in ' + g.getAttribute('class') : '');
  };
  const out = [];
  document.querySelectorAll('.js-plotly-plot').forEach((fig, index) => {
    const svgs = Array.from(fig.querySelectorAll('svg.main-svg'));
    if (!svgs.length) return;
    const f = svgs[0].getBoundingClientRect();
    if (f.width < 2 || f.height < 2) return;  // not laid out (e.g. a closed tab)
    const chart = (fig._fullLayout && fig._fullLayout.meta && fig._fullLayout.meta.chart) || fig.id || ('figure ' + index);
    const labels = [];
    svgs.forEach((svg) => svg.querySelectorAll('text').forEach((t) => {
      if (t.closest('.hoverlayer')) return;  // hover boxes appear only on demand
      if (!visible(t)) return;
      const r = t.getBoundingClientRect();
      labels.push({text: t.textContent.trim().slice(0, 60), kind: kind(t),
                   l: r.left, t: r.top, r: r.right, b: r.bottom});
    }));
    const problems = [];
    for (const a of labels) {
      if (a.l < f.left - tol || a.r > f.right + tol || a.t < f.top - tol || a.b > f.bottom + tol) {
        problems.push(`"${a.text}" (${a.kind}) outside the figure: label ${a.l.toFixed(0)}..${a.r.toFixed(0)} x ` +
          `${a.t.toFixed(0)}..${a.b.toFixed(0)}, figure ${f.left.toFixed(0)}..${f.right.toFixed(0)} x ` +
          `${f.top.toFixed(0)}..${f.bottom.toFixed(0)}`);
      }
    }
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        const a = labels[i], b = labels[j];
        const w = Math.min(a.r, b.r) - Math.max(a.l, b.l);
        const h = Math.min(a.b, b.b) - Math.max(a.t, b.t);
        if (w > tol && h > tol) problems.push(`"${a.text}" (${a.kind}) overlaps "${b.text}" (${b.kind})`);
      }
    }
    out.push({chart: String(chart), labels: labels.length, width: f.width, problems: problems});
  });
  return out;
}
"""


def measure(page: Page) -> list[dict[str, Any]]:
    """Per laid-out figure: its name (``layout.meta.chart`` or div id), label count, problems."""
    result: list[dict[str, Any]] = page.evaluate(_MEASURE, TOLERANCE)
    return result


def label_problems(page: Page, where: str) -> list[str]:
    """Every unreadable label on ``page``, prefixed with ``where`` and the chart's name."""
    return [f"{where}: {fig['chart']}: {p}" for fig in measure(page) for p in fig["problems"]]


def wait_for_figures(page: Page, count: int, timeout: float = 60_000) -> None:
    """Wait until ``count`` figures are drawn (plotly has put an SVG with text into each)."""
    page.wait_for_function(
        "(n) => Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".filter(d => d.querySelector('svg.main-svg text')).length >= n",
        arg=count,
        timeout=timeout,
    )
