"""The learners app's REST endpoints: accounts, practice sessions and personal records."""
