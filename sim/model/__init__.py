"""The model: scenario, decisions, market, sales force, accounts, ledger, events, positioning,
product, research, rivals, the game, its reports, snapshots and saves.

It is headless and deterministic, and imports none of its applications (`sim.experiments`,
`sim.classroom`), no storage or cluster library (SQLite, Dask), no plotting (matplotlib) and
no terminal library (rich, Textual): `tests/test_headless.py` holds it to that.
"""
