"""Evidence bundles: the schema (model), loading (load, tables) and checks (check)."""

MANIFEST = "bundle.yaml"  # the file that makes a folder a bundle
