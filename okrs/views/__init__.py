"""The OKR pages, split by concept: cycles, objectives, key results, team objectives
(the workflow and its discussion) and reviews; `common` holds what they share."""
