"""Datasets that ship with installed packages, so nothing is downloaded at run time."""
