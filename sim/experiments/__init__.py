"""Experiments with the model: sweeps and Monte Carlo replications (`sweep`), the executors
that run their cells (`executor`: in-process, a process pool, Dask), their result files
(`results`: CSV, Parquet), plots (`plot`, matplotlib) and the balance check (`balance`)."""
