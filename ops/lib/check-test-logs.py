#!/usr/bin/env python3
"""Searches the app logs of a test run for the secrets the tests typed.

The test harness writes every password, one-time code, authenticator key and token it uses to
.data/test-logs/secrets.txt, and every app it starts logs to .data/test-logs/app-*.log. A secret found
in a log is a leak. Prints one line and exits 1 on a leak (or when there is nothing to check).
"""
import glob
import os
import re
import sys

folder = sys.argv[1] if len(sys.argv) > 1 else ".data/test-logs"
secrets_path = os.path.join(folder, "secrets.txt")
logs = sorted(glob.glob(os.path.join(folder, "app-*.log")))
if not os.path.exists(secrets_path) or not logs:
    print(f"log check: nothing to check in {folder} (no secrets.txt or no app logs)")
    sys.exit(1)

secrets = {line.strip() for line in open(secrets_path, encoding="utf-8") if len(line.strip()) >= 6}
text = "\n".join(open(path, encoding="utf-8", errors="replace").read() for path in logs)
leaks = []
for secret in sorted(secrets):
    # Six-digit codes would match inside trace ids and other hex: only whole tokens count.
    pattern = re.escape(secret)
    if secret.isdigit():
        pattern = rf"(?<![0-9A-Za-z]){pattern}(?![0-9A-Za-z])"
    if re.search(pattern, text):
        leaks.append(secret)

lines = text.count("\n")
if leaks:
    print(f"log check: {len(leaks)} of {len(secrets)} secrets found in {lines} log lines:")
    for secret in leaks:
        print(f"  {secret[:4]}… ({len(secret)} chars)")
    sys.exit(1)
print(f"log check: none of {len(secrets)} secrets in {lines} log lines")
