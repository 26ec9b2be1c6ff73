"""Build script for the optional C extension; all other metadata is in pyproject.toml.

``bpclass._speedups`` makes feature extraction and prediction many times faster. It
is optional: where it cannot be compiled (no C compiler), the install still succeeds
and bpclass runs its pure-Python code, which gives the same numbers.
"""

import sys

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "bpclass._speedups",
            sources=["bpclass/_speedups.c"],
            extra_compile_args=[] if sys.platform == "win32" else ["-O3"],
            optional=True,
        )
    ]
)
