"""Pictures for the pages, drawn on the server as SVG by matplotlib (networkx lays out networks): counts per
year as bars, and a citation neighbourhood as a network whose nodes link to their pages. No script, no CDN."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

_COLOURS = ("#3b6ea8", "#e39b3b", "#5aa36b", "#b5524a")


def _svg(figure) -> str:
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    buffer = io.StringIO()
    FigureCanvasSVG(figure).print_svg(buffer)
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # inline in HTML: no XML declaration or DOCTYPE


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=96)
    figure.set_layout_engine("constrained")
    return figure


def bars_per_year(title: str, years: list[str], series: dict[str, list[int]], *, stacked: bool = True) -> str:
    """Bars per year (an empty year label is shown as "undated"), one colour per series: stacked (parts of one
    whole) or side by side (different things)."""
    figure = _figure(7.5, 3.2)
    axes = figure.add_subplot()
    labels = [year or "undated" for year in years]
    bottom, width = [0] * len(labels), 0.8 if stacked else 0.8 / max(len(series), 1)
    for index, ((name, values), colour) in enumerate(zip(series.items(), _COLOURS)):
        shift = 0 if stacked else (index - (len(series) - 1) / 2) * width
        axes.bar([i + shift for i in range(len(labels))], values, width, bottom=bottom, label=name, color=colour)
        if stacked:
            bottom = [b + v for b, v in zip(bottom, values)]
    axes.set_xticks(range(len(labels)), labels)
    axes.set_xlim(-0.5 - max(0, 6 - len(labels)) / 2, len(labels) - 0.5 + max(0, 6 - len(labels)) / 2)
    axes.set_title(title)
    axes.set_ylabel("count")
    axes.yaxis.get_major_locator().set_params(integer=True)
    if len(labels) > 12:
        axes.tick_params(axis="x", labelrotation=90)
    if len(series) > 1:
        axes.legend(frameon=False)
    return _svg(figure)


def network(centre: str, edges: list[tuple[str, str]], *, label: Callable[[str], str],
            link: Callable[[str], str]) -> str:
    """The citation links around ``centre`` (citing → cited) as a drawn network; each node links to ``link``."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_node(centre)
    graph.add_edges_from(edges)
    position = nx.spring_layout(graph, seed=7, k=1.6 / max(len(graph) ** 0.5, 1))
    figure = _figure(7.5, 5.5)
    axes = figure.add_subplot()
    axes.set_axis_off()
    nodes = list(graph.nodes)
    cites_centre = {a for a, b in edges if b == centre}
    colours = [_COLOURS[1] if n == centre else _COLOURS[2] if n in cites_centre else _COLOURS[0] for n in nodes]
    nx.draw_networkx_edges(graph, position, ax=axes, edge_color="#999999", arrows=True, arrowsize=10,
                           node_size=260)
    drawn = nx.draw_networkx_nodes(graph, position, ax=axes, nodelist=nodes, node_color=colours,
                                   node_size=[520 if n == centre else 260 for n in nodes])
    drawn.set_urls([link(n) for n in nodes])
    nx.draw_networkx_labels(graph, position, ax=axes, labels={n: label(n) for n in nodes}, font_size=7,
                            verticalalignment="bottom")
    axes.set_title("Citation neighbourhood (orange: this article; green: citing it; blue: cited)")
    return re.sub(r'<a xlink:href="([^"]*)"(?: target="_blank")?>', r'<a class="node" xlink:href="\1">', _svg(figure))
