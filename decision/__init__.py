"""Decision module: guideline logic that derives answers and explanations from a case.

`decision/engine` is a pure-Python library (no Django); the rest of this package is Django glue.
"""
