"""Render: the template context (plain data), the Jinja2 sandbox, themes and fonts → HTML."""
