"""A client of `tessera serve` written with Python's standard library and PyJWT, as
an API of the person's own would be. Driven by tests/serve.rs; prints "ok" at the end.

Environment: URL, CLIENT (name), SECRET, READER_SECRET (a client that may not revoke),
PERSONAL (a personal token for the API "billing"), RS256 and EDDSA (Tessera JWTs),
RS256_ID and EDDSA_ID (their token ids), JWKS (the output of `tessera jwks`).

With the arguments `refused NAME SECRET` it checks only that this client gets 401;
with `guessing NAME SECRET` it guesses the client's secret as an attacker would and
checks that the service stops answering the address, the right secret included; with
`flooding NAME SECRET LIMIT` it checks that a client over its rate limit gets 429.
"""

import base64
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

import jwt

env = os.environ
URL = env["URL"]


def call(path, fields, client, secret, headers=None):
    body = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(URL + path, data=body, method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    if client is not None:
        pair = base64.b64encode(f"{client}:{secret}".encode()).decode()
        request.add_header("Authorization", "Basic " + pair)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            if headers is not None:
                headers.append(response.headers)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        if headers is not None:
            headers.append(err.headers)
        return err.code, json.loads(err.read() or b"null")


def expect(condition, what):
    if not condition:
        print("FAILED:", what, file=sys.stderr)
        sys.exit(1)


if sys.argv[1:2] == ["refused"]:
    status, answer = call("/introspect", {"token": "x"}, sys.argv[2], sys.argv[3])
    expect(status == 401, f"client {sys.argv[2]}: {status} {answer}")
    print("ok")
    sys.exit(0)

if sys.argv[1:2] == ["guessing"]:
    name, secret = sys.argv[2], sys.argv[3]
    codes = [call("/introspect", {"token": "x"}, name, f"tsc_guess{n}", None)[0] for n in range(30)]
    expect(codes[0] == 401, f"a wrong secret: {codes[0]}")
    expect(429 in codes, f"thirty guesses a moment apart were all answered: {codes}")
    # Refused before any check: the right secret from this address waits too.
    status, answer = call("/introspect", {"token": "x"}, name, secret)
    expect(status == 429 and answer["error"] == "rate_limited", f"the right secret: {status}")
    print("ok")
    sys.exit(0)

if sys.argv[1:2] == ["flooding"]:
    name, secret, limit = sys.argv[2], sys.argv[3], int(sys.argv[4])
    answers = []
    for _ in range(limit * 4):
        headers = []
        status, _ = call("/introspect", {"token": "x"}, name, secret, headers)
        answers.append((status, headers[0].get("Retry-After")))
    expect([s for s, _ in answers[:limit]] == [200] * limit, f"within the limit: {answers}")
    expect((429, "1") in answers, f"over the limit, never refused: {answers}")
    print("ok")
    sys.exit(0)

# The issuer, as a client discovers it (RFC 8414).
with urllib.request.urlopen(URL + "/.well-known/oauth-authorization-server") as response:
    meta = json.loads(response.read())
expect(meta["jwks_uri"] == URL + "/.well-known/jwks.json", meta)
expect(meta["introspection_endpoint"] == URL + "/introspect", meta)
expect(meta["revocation_endpoint"] == URL + "/revoke", meta)
ISSUER = meta["issuer"]
expect(ISSUER.startswith("tessera:"), meta)

# Introspection of an active token, for the API it is scoped to and for another.
status, answer = call("/introspect", {"token": env["PERSONAL"], "api": "billing"},
                      env["CLIENT"], env["SECRET"])
expect(status == 200 and answer["active"] is True, f"active: {status} {answer}")
expect(answer["scope"] == "billing" and answer["token_type"] == "Bearer", answer)
expect(answer["iss"] == ISSUER and answer["tessera_kind"] == "personal", answer)
status, answer = call("/introspect", {"token": env["PERSONAL"], "api": "search"},
                      env["CLIENT"], env["SECRET"])
expect(answer == {"active": False}, f"another API: {answer}")

# Wrong or missing credentials: 401, and nothing about the token.
status, answer = call("/introspect", {"token": env["PERSONAL"]}, env["CLIENT"], "tsc_wrong")
expect(status == 401 and answer["error"] == "invalid_client", f"wrong secret: {status}")
status, answer = call("/introspect", {"token": env["PERSONAL"]}, None, None)
expect(status == 401, f"no credentials: {status}")

# JWTs verified with the keys the service publishes, as an API would.
jwks = jwt.PyJWKClient(URL + "/.well-known/jwks.json")
for name, alg in (("RS256", "RS256"), ("EDDSA", "EdDSA")):
    key = jwks.get_signing_key_from_jwt(env[name])
    claims = jwt.decode(env[name], key.key, algorithms=[alg], issuer=ISSUER)
    expect(claims["sub"] == env[name + "_ID"], f"{name}: {claims}")
    status, answer = call("/introspect", {"token": env[name]}, env["CLIENT"], env["SECRET"])
    expect(answer["active"] is True and answer["jti"] == env[name + "_ID"], answer)
    expect(answer["exp"] == claims["exp"] and answer["iat"] == claims["iat"], answer)
# A JWT signed by someone else under the vault's kid does not verify.
forged = jwt.encode({"sub": env["RS256_ID"]}, "guess", algorithm="HS256",
                    headers={"kid": "tessera-rs256"})
status, answer = call("/introspect", {"token": forged}, env["CLIENT"], env["SECRET"])
expect(answer == {"active": False}, f"forged: {answer}")

# The service's keys are the ones `tessera jwks` prints.
with urllib.request.urlopen(URL + "/.well-known/jwks.json", timeout=10) as response:
    served = json.loads(response.read())
expect(served == json.loads(env["JWKS"]), "tessera jwks and the service differ")
expect({k["kid"] for k in served["keys"]} == {"tessera-rs256", "tessera-eddsa"}, served)

# Revocation: refused to a client without the right, done for one with it.
status, answer = call("/revoke", {"token": env["PERSONAL"]}, "reader", env["READER_SECRET"])
expect(status == 403, f"reader revoked: {status}")
status, answer = call("/introspect", {"token": env["PERSONAL"]}, "reader", env["READER_SECRET"])
expect(answer["active"] is True, "still active after the refused revocation")
status, answer = call("/revoke", {"token": env["PERSONAL"], "token_type_hint": "access_token"},
                      env["CLIENT"], env["SECRET"])
expect(status == 200, f"revoke: {status} {answer}")
status, answer = call("/introspect", {"token": env["PERSONAL"]}, env["CLIENT"], env["SECRET"])
expect(answer == {"active": False}, f"after revoke: {answer}")
status, answer = call("/revoke", {"token": "not-a-token-of-this-vault"}, env["CLIENT"], env["SECRET"])
expect(status == 200, f"unknown token: {status}")
status, answer = call("/introspect", {}, env["CLIENT"], env["SECRET"])
expect(status == 400 and answer["error"] == "invalid_request", f"no token field: {status}")

print("ok")
