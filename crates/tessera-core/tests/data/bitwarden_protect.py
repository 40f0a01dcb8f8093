#!/usr/bin/env python3
"""Writes a password-protected Bitwarden JSON export of the plain export on stdin, as
Bitwarden's documentation describes the scheme, with the `cryptography` package: a key
from PBKDF2-SHA256 over the password and the salt (the salt's text as bytes), stretched
by HKDF-Expand-SHA256 into an AES-256 key ("enc") and an HMAC-SHA256 key ("mac"); each
value a cipher string "2.iv|ciphertext|mac" (AES-256-CBC with PKCS#7 padding, the MAC
over iv and ciphertext). An implementation apart from Tessera's, for its import test.

    bitwarden_protect.py PASSWORD ITERATIONS < plain.json > protected.json
"""
import base64
import json
import os
import sys
import uuid

from cryptography.hazmat.primitives import hashes, hmac, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

password, iterations = sys.argv[1], int(sys.argv[2])
plain = sys.stdin.buffer.read()
salt = base64.b64encode(os.urandom(16)).decode()
key = PBKDF2HMAC(hashes.SHA256(), 32, salt.encode(), iterations).derive(password.encode())
enc = HKDFExpand(hashes.SHA256(), 32, b"enc").derive(key)
mac = HKDFExpand(hashes.SHA256(), 32, b"mac").derive(key)


def cipher_string(data: bytes) -> str:
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    encryptor = Cipher(algorithms.AES(enc), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    tag = hmac.HMAC(mac, hashes.SHA256())
    tag.update(iv + ciphertext)
    parts = (iv, ciphertext, tag.finalize())
    return "2." + "|".join(base64.b64encode(p).decode() for p in parts)


json.dump(
    {
        "encrypted": True,
        "passwordProtected": True,
        "salt": salt,
        "kdfType": 0,
        "kdfIterations": iterations,
        "encKeyValidation_DO_NOT_EDIT": cipher_string(str(uuid.uuid4()).encode()),
        "data": cipher_string(plain),
    },
    sys.stdout,
)
