"""Vega-Lite specs from drawing plans: the plan's rows, and only them, are the chart's data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from reportgen.bundle.model import Chart, ChartType
from reportgen.charts.draw import drawing_plan
from reportgen.charts.prepare import prepare
from reportgen.charts.spec import vega_lite


def plan_for(kind: str, x: str = "week") -> dict:
    frame = pd.DataFrame({"week": pd.date_range("2026-01-05", periods=4, freq="W-MON").repeat(2),
                          "region": ["North", "South"] * 4,
                          "series": ["a", "b"] * 4, "value": np.arange(8, dtype=float) * 10})
    chart = Chart.model_validate(dict(id="c", type=kind, table="t", x=x, y="value", title="Weekly",
                                      color="series" if kind == "stacked-bar" else None))
    return drawing_plan(prepare(frame, chart), chart)


def datasets(node) -> list:
    """Every inline dataset in a spec, wherever Altair put it (top level or per layer)."""
    if isinstance(node, list):
        return [found for item in node for found in datasets(item)]
    if not isinstance(node, dict):
        return []
    here = [node["data"]["values"]] if "values" in node.get("data", {}) else []
    return here + [found for key, value in node.items() if key != "data" for found in datasets(value)]


@pytest.mark.parametrize("kind,x", [(t.value, "week") for t in ChartType] + [("stacked-bar", "region")])
def test_the_spec_draws_the_plans_rows(kind, x):
    plan = plan_for(kind, x)
    spec = vega_lite(plan)
    assert "reportgen-" not in json.dumps(spec)  # no stand-in for the rows is left behind
    drawn = datasets(spec)
    assert plan["values"] in drawn
    if x == "region":  # the series named beside the last bar: a second dataset
        assert plan["series_labels"]["values"] in drawn
    assert len(drawn) == 1 + (x == "region")


def test_the_spec_is_the_same_for_the_same_plan():
    plan = plan_for("bar")
    assert json.dumps(vega_lite(plan)) == json.dumps(vega_lite(json.loads(json.dumps(plan))))
