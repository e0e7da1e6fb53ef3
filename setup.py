# scrapyd-deploy runs `setup.py bdist_egg` (writing its own setup.py if none); pyproject.toml declares all.
from setuptools import setup

setup()
