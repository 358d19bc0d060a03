"""HTML views of the question bank: `authoring` (instructors' question pages) and `topics`
(the topic list and evidence summaries, for students and instructors)."""
