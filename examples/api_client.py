#!/usr/bin/env python3
"""Tổ Số API example, Python standard library only.

Reads the demo commune's indicators (Đặc khu Cát Hải, 11914) as of
30/11/2025, then logs one support activity for the commune's first village
team with an Idempotency-Key, and sends it again with the same key: the
second answer is the first one replayed, and nothing new is recorded.

    TOSO_URL=http://127.0.0.1:8080 TOSO_TOKEN=toso_... python3 examples/api_client.py

The token needs the write scope (create it at /account, or with
`toso user token --username canboxa --name vi-du --scope write`).
"""

import datetime
import json
import os
import sys
import urllib.error
import urllib.request
import uuid

BASE = os.environ.get("TOSO_URL", "http://127.0.0.1:8080").rstrip("/") + "/api/v1"
TOKEN = os.environ["TOSO_TOKEN"]
COMMUNE = 11914


def call(method, path, body=None, key=None):
    """Send a request; return (status, headers, JSON answer)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("Authorization", "Bearer " + TOKEN)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if key is not None:
        request.add_header("Idempotency-Key", key)
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, answer.headers, json.load(answer)
    except urllib.error.HTTPError as refused:
        # Errors are problem details (RFC 9457): title, detail, field.
        problem = json.load(refused)
        sys.exit(f"{refused.code} {problem['title']}: {problem['detail']}")


# 1. The commune's figures as of 30/11/2025.
_, _, table = call("GET", f"/communes/{COMMUNE}/indicators?as_of=2025-11-30")
print(f"{table['node_name']}, ngày {table['as_of']}:")
for indicator in table["indicators"]:
    if indicator["key"] in ("villages", "teams", "members", "coverage", "contest_registrations"):
        print(f"  {indicator['name']}: {indicator['display']}")

# 2. Log an activity for the first active village team, once.
_, _, listed = call("GET", f"/communes/{COMMUNE}/teams")
team = next(t for t in listed["teams"] if t["kind"] == "village" and t["dissolved_on"] is None)
entry = {
    "activity_date": datetime.date.today().isoformat(),
    "category": "vneid",
    "citizens_helped": 2,
    "note": "Ví dụ từ API",
}
key = str(uuid.uuid4())
status, _, first = call("POST", f"/communes/{COMMUNE}/teams/{team['id']}/activities", entry, key)
print(f"Đã ghi lượt hỗ trợ số {first['id']} cho {team['name']} ({status}).")
status, headers, again = call("POST", f"/communes/{COMMUNE}/teams/{team['id']}/activities", entry, key)
replayed = headers.get("Idempotent-Replayed") == "true"
print(f"Gửi lại cùng khóa: lượt số {again['id']} ({status}, trả lại kết quả cũ: {'có' if replayed else 'không'}).")
assert again == first and replayed, "the repeat recorded something new"
