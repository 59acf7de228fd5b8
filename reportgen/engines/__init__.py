"""Engines: the chart and PDF engines, warmed up in helper processes or run in this one."""
