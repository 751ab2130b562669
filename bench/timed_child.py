"""Launcher used by run_bench.py: run one command, print "exit_code wall_seconds maxrss_kib cpu_seconds".

usage: python -I -S timed_child.py CWD STDOUT_FILE STDERR_FILE EXE [ARG ...]

Why a separate, tiny process: on Linux the ``ru_maxrss`` that wait4() reports for a child
also holds the high-water RSS of the process it was exec'd from (with vfork/posix_spawn,
that is the parent's address space). Spawned straight from the harness, every tool would
be charged at least the harness's own peak (duckdb, loaded manifests: hundreds of MB).
This launcher imports nothing beyond os/sys/time, so the floor is ~9 MB, well below any
tool's real peak. Wall time is measured here, around the child alone; CPU seconds are the
child's user + system time (with the children it waited for), which other work on the
machine inflates far less than wall time.
"""
import os
import sys
import time


def main() -> None:
    cwd, out_path, err_path, exe, *args = sys.argv[1:]
    os.chdir(cwd)
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        (os.POSIX_SPAWN_OPEN, 2, err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
    ]
    start = time.perf_counter()
    try:
        pid = os.posix_spawn(exe, [exe, *args], os.environ, file_actions=actions)
    except OSError as exc:
        with open(err_path, "a") as err:
            err.write(f"cannot start {exe}: {exc}\n")
        print(127, 0.0, 0, 0.0)
        return
    _pid, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    print(os.waitstatus_to_exitcode(status), wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)


if __name__ == "__main__":
    main()
