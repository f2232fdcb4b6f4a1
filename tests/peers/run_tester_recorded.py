"""Runs python-scim's scim2-tester against a SCIM server and prints one JSON line: the results, and
every exchange as the client saw it (method, URL, status, request and response bodies), recorded by
httpx2's event hooks — the client's side of what a tap in between must have captured.

usage: run_tester_recorded.py BASE_URL TOKEN
"""
import json
import sys

import httpx2
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

base, token = sys.argv[1], sys.argv[2]
exchanges = []


def on_response(response):
    response.read()
    request = response.request
    exchanges.append({
        "method": request.method,
        "url": str(request.url),
        "status": response.status_code,
        "request": request.content.decode("utf-8", "replace"),
        "response": response.content.decode("utf-8", "replace"),
    })


http = httpx2.Client(
    base_url=base,
    headers={"Authorization": f"Bearer {token}"},
    event_hooks={"response": [on_response]},
)
client = SyncSCIMClient(http)
client.discover()
results = check_server(client)
counts = {}
for r in results:
    counts[r.status.name] = counts.get(r.status.name, 0) + 1
print(json.dumps({"counts": counts, "exchanges": exchanges}))
