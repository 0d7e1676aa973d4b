# The work bench/limits.sh times inside a container: prints "NAME SECONDS".
import shutil
import subprocess
import time


def timed(name, fn):
    t = time.perf_counter()
    fn()
    print(name, "%.6f" % (time.perf_counter() - t), flush=True)


def shell_loop():
    subprocess.run(["sh", "-c", "for i in $(seq 1000); do /bin/true; done"], check=True)


def python_start():
    for _ in range(20):
        subprocess.run(["python3", "-c", "pass"], check=True)


def alloc(chunk):
    def go():
        for _ in range(3):
            # bytearray(n) is zeroed: every page is touched.
            held = [bytearray(chunk) for _ in range((200 << 20) // chunk)]
            del held
    return go


def tar_extract():
    subprocess.run(["busybox", "tar", "-xf", "/tmp/t.tar", "-C", "/tmp"], check=True)
    shutil.rmtree("/tmp/tree")


timed("shell_loop", shell_loop)
timed("python_start", python_start)
timed("alloc_small", alloc(64 << 10))
timed("alloc_large", alloc(1 << 20))
timed("tar_extract", tar_extract)
