"""The audit log: who published, retired, changed roles, imported, exported or erased what."""
