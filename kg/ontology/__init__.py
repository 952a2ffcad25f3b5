"""The contract a kg graph keeps: the application profile, SHACL shapes (kg validate) and reasoning (kg infer)."""
