"""Peer for `make bench`: python-scim's scim2-client loading every user by sequential index paging,
validating each page as it does by default. Prints the number of users and the seconds taken.

usage: scim2_client_load.py BASE_URL TOKEN PAGE_SIZE
"""
import sys
import time

import httpx2
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import SearchRequest

base, token, page_size = sys.argv[1], sys.argv[2], int(sys.argv[3])
client = SyncSCIMClient(httpx2.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120))
client.discover()
started = time.perf_counter()
loaded, start, total = 0, 1, None
while total is None or start <= total:
    page = client.query("User", query_parameters=SearchRequest(start_index=start, count=page_size))
    total = page.total_results
    n = len(page.resources or [])
    if n == 0:
        break
    loaded += n
    start += n
print(loaded, time.perf_counter() - started)
