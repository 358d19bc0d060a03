"""Topic list and evidence summary pages."""
