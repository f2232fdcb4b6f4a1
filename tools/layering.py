#!/usr/bin/env python3
"""The crate graph SCIM Explorer allows, checked against `cargo metadata` (run by `make layering`).

Dependencies point one way: core <- client <- base <- audit <- conformance <- services <- shells.
Every edge between our crates must be listed here, with why when it is not the obvious one, so a
new edge is a decision someone wrote down rather than an accident.
"""
import json
import subprocess
import sys

# crate -> the workspace crates it may depend on (normal dependencies; dev-dependencies are free).
ALLOWED = {
    "scim-core": set(),  # pure: no I/O, no async (checked below as well)
    "scim-client": {"scim-core"},
    "scim-demo-server": {"scim-core"},  # a server built on the protocol core only
    "scim-base": {"scim-core", "scim-client"},  # AppError converts the client's errors
    "scim-audit": {"scim-core", "scim-base"},  # no network: snapshots, compare, reports, roles
    "scim-conformance": {"scim-core", "scim-client", "scim-base", "scim-audit"},
    "scim-services": {
        "scim-core", "scim-client", "scim-base", "scim-audit", "scim-conformance",
        # On purpose: the demo directory and snapshots opened offline are served by the embedded
        # demo server, so every screen works the same on them.
        "scim-demo-server",
        # The tap screen runs a tap or inbox and serves its capture.
        "scim-tap",
    },
    # The tap forwards with the client and explains with the core; its inbox is the demo server.
    "scim-tap": {"scim-core", "scim-client", "scim-demo-server"},
    # The shells go through the services (which re-export the audit and conformance modules):
    # never straight into base, audit or conformance.
    "scimx": {"scim-core", "scim-client", "scim-services", "scim-demo-server", "scim-tap"},  # `scimx demo-server`
    "scim-explorer": {"scim-core", "scim-client", "scim-services"},
    "scim-explorer-tests": None,  # the cross-crate tests may use anything
}
IO_CRATES = {"tokio", "reqwest", "tauri", "hyper", "axum", "mio"}


def main() -> int:
    meta = json.loads(subprocess.check_output(["cargo", "metadata", "--format-version", "1", "--no-deps"]))
    ours = {p["name"] for p in meta["packages"]}
    problems = []
    for p in meta["packages"]:
        name = p["name"]
        if name not in ALLOWED:
            problems.append(f"{name} is not in tools/layering.py: say what it may depend on")
            continue
        normal = [d["name"] for d in p["dependencies"] if d.get("kind") is None]
        allowed = ALLOWED[name]
        if allowed is not None:
            for dep in sorted(set(normal) & ours - allowed):
                problems.append(f"{name} -> {dep} is not an allowed edge")
        if name == "scim-core":
            for dep in sorted(set(normal) & IO_CRATES):
                problems.append(f"scim-core must stay free of I/O crates, found {dep}")
    if problems:
        print("\n".join(problems))
        return 1
    print(f"layering ok: {len(ours)} crates, every edge allowed (tools/layering.py)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
