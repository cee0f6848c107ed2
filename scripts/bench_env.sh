# Sourced by the bench_* scripts: the venv with the package and the load client's libraries,
# from the lock (scripts/venv test).
scripts/venv test
