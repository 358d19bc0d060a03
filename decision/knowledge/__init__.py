"""Each decision model as data: its case fields, policy, reason codes and their wording.

Pure Python like decision.engine: nothing here may import Django or the project's apps."""
