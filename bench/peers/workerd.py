"""Cloudflare's workerd for the benchmarks (bench/run, bench/crypto,
bench/streams): where it is installed, how it is installed (npm, into
build/bench/npm), the config of one ES-module worker, and the command that
serves it. The scripts import it with bench/peers/ on sys.path."""

import os
import shutil
import subprocess

PEERS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(PEERS))
NPM_DIR = os.path.join(ROOT, "build", "bench", "npm")
PACKAGE = "@cloudflare/workerd-linux-64"
BIN = os.path.join(NPM_DIR, "node_modules", "@cloudflare", "workerd-linux-64",
                   "bin", "workerd")
NOT_AVAILABLE = "workerd (npm %s) not available" % PACKAGE


def version(binary=BIN):
    """workerd's version line, or None when it is missing or does not run."""
    if not os.access(binary, os.X_OK):
        return None
    try:
        p = subprocess.run([binary, "--version"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return p.stdout.strip() if p.returncode == 0 else None


def install(log, apt=None):
    """Install workerd with npm unless it runs already; apt(["npm"]) -> bool,
    if given, installs npm when it is missing. Returns version() (None when
    workerd could not be had; log() says why)."""
    v = version()
    if v:
        return v
    npm = shutil.which("npm")
    if not npm and apt and apt(["npm"]):
        npm = shutil.which("npm")
    if not npm:
        log("npm is not installed: no workerd")
        return None
    os.makedirs(NPM_DIR, exist_ok=True)
    pj = os.path.join(NPM_DIR, "package.json")
    if not os.path.exists(pj):
        with open(pj, "w") as f:
            f.write('{"name": "bench-peers", "private": true}\n')
    log("npm install %s" % PACKAGE)
    try:
        p = subprocess.run([npm, "install", "--prefix", NPM_DIR, "--no-audit",
                            "--no-fund", PACKAGE], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=600)
        if p.returncode != 0:
            log("npm install failed:\n" + p.stdout[-1500:])
    except (OSError, subprocess.TimeoutExpired) as e:
        log("npm install failed: %s" % e)
    return version()


def config(module, port):
    """The capnp config serving `module`.js (an ES module in the config's
    directory) as the one worker behind 127.0.0.1:port."""
    with open(os.path.join(PEERS, "workerd.capnp.in")) as f:
        text = f.read()
    return text.replace("@WORKLOAD@", module).replace("@PORT@", str(port))


def command(config_path, binary=BIN):
    """The command line that serves config_path in the foreground."""
    return [binary, "serve", config_path]
