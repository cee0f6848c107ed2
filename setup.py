"""Packaging beyond what pyproject.toml can say: the repository's top-level migrations/ ships
inside the wheel as the package ``votesys._migrations``, so that ``votesys db upgrade`` works
where only the wheel is installed (votesys.database.migrations_directory finds it)."""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["votesys", "votesys.*"])
    + ["votesys._migrations", "votesys._migrations.versions"],
    package_dir={"votesys._migrations": "migrations"},
)
