"""The size of a DKIM public key as a DNS record publishes it, and the least kootui accepts.

The verdict on a published DKIM record needs it, and so does the key generator; it lives
with DNS, which the domains package builds on.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

MIN_KEY_BITS = 1024


def public_key_bits(public_key_b64: str) -> int | None:
    """The size of an RSA public key given as DKIM's base64 ``p=`` value; None if unreadable."""
    try:
        der = base64.b64decode("".join(public_key_b64.split()), validate=True)
        key = serialization.load_der_public_key(der)
    except (binascii.Error, ValueError, TypeError, UnsupportedAlgorithm):
        return None
    if not isinstance(key, rsa.RSAPublicKey):
        return None
    return key.key_size
