"""Signing in as institutions expect: OpenID Connect single sign-on (ProConnect-style) and a second factor (TOTP,
recovery codes, remembered devices). Passwords stay the embedded default (network/members)."""
