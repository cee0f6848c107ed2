# Sourced by the bench_* scripts: the venv with the package and the load client's libraries.
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
if ! .venv/bin/python -c "import votesys, aiohttp, psutil" 2>/dev/null; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
fi
