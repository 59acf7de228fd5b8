"""Charts: declarations and tables → drawing plan → Vega-Lite → SVG, with alt text."""
