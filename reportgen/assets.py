"""Where the files shipped inside the package live (templates, themes, fonts, schemas)."""

from pathlib import Path

PACKAGE = Path(__file__).parent
TEMPLATES = PACKAGE / "templates"
THEMES = PACKAGE / "themes"
FONTS = THEMES / "fonts"
SCHEMAS = PACKAGE / "schemas"
