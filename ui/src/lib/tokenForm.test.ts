import { describe, expect, it } from "vitest";
import { KIND_FIELDS } from "../ipc/bindings.gen";
import { tokenRow } from "../test-utils";
import { createRequest, editRequest, fieldsOf, validate, type TokenForm } from "./tokenForm";

const TODAY = "2026-12-01";

function form(changes: Partial<TokenForm> = {}): TokenForm {
  return {
    kind: "personal",
    name: "deploy",
    description: "",
    expiry: "30d",
    expiryDate: "",
    expiryTouched: false,
    apis: ["billing"],
    allApis: false,
    projects: ["apollo"],
    users: ["ada"],
    serviceAccount: "",
    bits: "3072",
    alg: "RS256",
    rotation: "",
    value: "",
    service: "",
    ...changes,
  };
}

describe("tokenForm", () => {
  it("asks each kind for the fields the core gives it", () => {
    expect(fieldsOf("service", KIND_FIELDS)).toMatchObject({ apis: true, all_apis: true, service_account: true });
    expect(fieldsOf("rsa", KIND_FIELDS)).toMatchObject({ apis: true, all_apis: false, projects: true, rsa_bits: true });
    // A kind the core did not describe takes nothing.
    expect(fieldsOf("jwt", [])).toMatchObject({ apis: false, users: false, jwt_alg: false });
  });

  it("finds what a person must fix, by field", () => {
    expect(validate(form(), KIND_FIELDS, null, TODAY)).toEqual({});
    expect(validate(form({ name: "  " }), KIND_FIELDS, null, TODAY).name).toBe("Enter a name for the token");
    expect(validate(form({ name: "é".repeat(101) }), KIND_FIELDS, null, TODAY).name).toBe("Use at most 100 characters");
    expect(validate(form({ expiry: "custom", expiryDate: TODAY }), KIND_FIELDS, null, TODAY).expiry).toMatch(/future/);
    expect(validate(form({ expiry: "custom" }), KIND_FIELDS, null, TODAY).expiry).toBe("Choose an expiration date");
    expect(validate(form({ kind: "service" }), KIND_FIELDS, null, TODAY).account).toMatch(/service account/);
    expect(validate(form({ kind: "external" }), KIND_FIELDS, null, TODAY).value).toMatch(/Paste/);
    expect(validate(form({ rotation: "1.5" }), KIND_FIELDS, null, TODAY).rotation).toMatch(/whole number/);
  });

  it("keeps an edited token's custom expiry unless it was changed", () => {
    const editing = tokenRow({ expires_at: 1 });
    expect(validate(form({ expiry: "custom", expiryDate: "2020-01-01" }), KIND_FIELDS, editing, TODAY)).toEqual({});
    expect(validate(form({ expiry: "custom", expiryDate: "2020-01-01", expiryTouched: true }), KIND_FIELDS, editing, TODAY).expiry).toBeDefined();
  });

  it("sends only what the kind takes", () => {
    const personal = createRequest(form({ name: " deploy " }), KIND_FIELDS);
    expect(personal).toMatchObject({ kind: "personal", name: "deploy", apis: ["billing"], projects: [], users: [] });
    expect(personal.rsa_bits).toBeNull();
    expect(personal.jwt_alg).toBeNull();
    expect(createRequest(form({ allApis: true }), KIND_FIELDS).apis).toEqual(["*"]);
    expect(createRequest(form({ kind: "rsa", allApis: true }), KIND_FIELDS).apis).toEqual(["billing"]);
    expect(createRequest(form({ kind: "rsa" }), KIND_FIELDS)).toMatchObject({ projects: ["apollo"], rsa_bits: 3072 });
    expect(createRequest(form({ kind: "jwt" }), KIND_FIELDS)).toMatchObject({ users: ["ada"], jwt_alg: "RS256" });
    const external = createRequest(form({ kind: "external", value: " glpat-x ", service: "" }), KIND_FIELDS);
    expect(external).toMatchObject({ apis: [], value: "glpat-x", service: null });
    expect(createRequest(form({ expiry: "custom", expiryDate: "2027-01-01" }), KIND_FIELDS).expires).toBe("2027-01-01");
  });

  it("removes an edited token's security period when the field is cleared", () => {
    const editing = tokenRow({ rotation_days: 30 });
    expect(editRequest(form({ rotation: "" }), KIND_FIELDS, editing).rotation_days).toBe(0);
    expect(editRequest(form({ rotation: "" }), KIND_FIELDS, tokenRow({ rotation_days: null })).rotation_days).toBeNull();
    expect(editRequest(form(), KIND_FIELDS, editing).expires).toBeNull();
    expect(editRequest(form({ expiryTouched: true, expiry: "never" }), KIND_FIELDS, editing).expires).toBe("never");
  });
});
