"""Build script for the optional C extension; all other metadata is in pyproject.toml.

``bpclass._speedups`` makes feature extraction and prediction several times
faster. It is optional: where it cannot be compiled (no C compiler), the install
still succeeds and bpclass runs its pure-Python code, which gives the same numbers.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "bpclass._speedups",
            sources=["bpclass/_speedups.c"],
            extra_compile_args=["-O3"] if __import__("sys").platform != "win32" else [],
            optional=True,
        )
    ]
)
