#!/usr/bin/python3
"""Debian 12's wapiti (3.0.4) with three fixes, used by ops/security-scan.

1. Its wildcard_translate() puts the inline flags "(?ms)" at the end of the pattern, which
   Python 3.11 rejects ("global flags not at the start of the expression"): every
   -x/--exclude makes wapiti crash. Here the flags go to the front.
2. Every module is instantiated even when not selected, and the "wapp" module then tries to
   download its database from GitHub. The scan is offline and aimed at 127.0.0.1 only, so
   that download is switched off (the wapp module is not used).
3. The cookieflags module looks for the attribute "HttpOnly" case-sensitively, while
   ASP.NET Core writes "httponly" (attribute names are case-insensitive, RFC 6265 5.2), so
   every cookie was reported without HttpOnly. Here the check ignores case.

Then wapiti's own entry point runs with the same arguments.
"""
import re
import sys

from wapitiCore.attack import mod_cookieflags, mod_wapp
from wapitiCore.net import crawler


def wildcard_translate(pattern):
    """Same as wapiti's: '*' matches anything, the rest literally, anchored at both ends."""
    body = "".join(".*" if char == "*" else re.escape(char) for char in pattern)
    return re.compile(r"(?ms)" + body + r"\Z")


def no_download(_self):
    """Replaces mod_wapp.update: no request leaves this machine."""


def check_httponly_flag(cookie):
    """Replaces mod_cookieflags' check: is there an HttpOnly attribute, in any case?"""
    return any(name.lower() == "httponly" for name in getattr(cookie, "_rest", {}))


crawler.wildcard_translate = wildcard_translate
mod_wapp.mod_wapp.update = no_download
mod_cookieflags.mod_cookieflags.check_httponly_flag = staticmethod(check_httponly_flag)

from wapitiCore.main.wapiti import wapiti_main  # noqa: E402  (after the patches on purpose)

if __name__ == "__main__":
    sys.argv[0] = "wapiti"
    sys.exit(wapiti_main())
