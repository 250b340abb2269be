"""The demo users' authenticators: each printed login gets one (set up through the action,
with a code made from its secret, as a person's phone would make it), and its secret is
printed beside the login so that it can be added to any authenticator app, or turned into
a code with `oathtool --totp -b SECRET`. A second run prints the same secrets."""

from __future__ import annotations

import base64
import binascii
import time

from django_otp.oath import TOTP

from remis.accounts.actions.two_factor import new_secret, set_up_authenticator
from remis.accounts.models import User
from remis.accounts.two_factor import authenticator_of


def demo_authenticator_secret(user: User) -> str:
    """The user's authenticator secret in base32 (what apps ask for), set up if missing."""
    device = authenticator_of(user)
    if device is None:
        key = new_secret()
        totp = TOTP(binascii.unhexlify(key))
        totp.time = time.time()
        device, _codes = set_up_authenticator(user, key=key, code=f"{totp.token():06d}")
    return base64.b32encode(device.bin_key).decode()
