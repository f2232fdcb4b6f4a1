"""Runs python-scim's scim2-tester against a SCIM server and prints one JSON line of results.

usage: run_tester.py BASE_URL TOKEN
"""
import json
import sys

import httpx2
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

base, token = sys.argv[1], sys.argv[2]
client = SyncSCIMClient(httpx2.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}))
client.discover()
results = check_server(client)
counts = {}
problems = []
for r in results:
    counts[r.status.name] = counts.get(r.status.name, 0) + 1
    if r.status not in (Status.SUCCESS, Status.SKIPPED):
        problems.append(f"{r.status.name} {r.title}: {(r.reason or '')[:300]}")
print(json.dumps({"counts": counts, "problems": problems}))
