import { describe, expect, it } from "vitest";
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
  it("asks each kind for its own fields only", () => {
    expect(fieldsOf("workspace")).toMatchObject({ apis: false, allApis: false, value: false });
    expect(fieldsOf("service")).toMatchObject({ apis: true, allApis: true, serviceAccount: true });
    expect(fieldsOf("rsa")).toMatchObject({ apis: true, allApis: false, projects: true, bits: true });
    expect(fieldsOf("jwt")).toMatchObject({ users: true, alg: true, projects: false });
    expect(fieldsOf("external")).toMatchObject({ apis: false, value: true });
  });

  it("finds what a person must fix, by field", () => {
    expect(validate(form(), null, TODAY)).toEqual({});
    expect(validate(form({ name: "  " }), null, TODAY).name).toBe("Enter a name for the token");
    expect(validate(form({ name: "é".repeat(101) }), null, TODAY).name).toBe("Use at most 100 characters");
    expect(validate(form({ expiry: "custom", expiryDate: TODAY }), null, TODAY).expiry).toMatch(/future/);
    expect(validate(form({ expiry: "custom" }), null, TODAY).expiry).toBe("Choose an expiration date");
    expect(validate(form({ kind: "service" }), null, TODAY).account).toMatch(/service account/);
    expect(validate(form({ kind: "external" }), null, TODAY).value).toMatch(/Paste/);
    expect(validate(form({ rotation: "1.5" }), null, TODAY).rotation).toMatch(/whole number/);
  });

  it("keeps an edited token's custom expiry unless it was changed", () => {
    const editing = tokenRow({ expires_at: 1 });
    expect(validate(form({ expiry: "custom", expiryDate: "2020-01-01" }), editing, TODAY)).toEqual({});
    expect(validate(form({ expiry: "custom", expiryDate: "2020-01-01", expiryTouched: true }), editing, TODAY).expiry).toBeDefined();
  });

  it("sends only what the kind takes", () => {
    const personal = createRequest(form({ name: " deploy " }));
    expect(personal).toMatchObject({ kind: "personal", name: "deploy", apis: ["billing"], projects: [], users: [] });
    expect(personal.rsa_bits).toBeNull();
    expect(personal.jwt_alg).toBeNull();
    expect(createRequest(form({ allApis: true })).apis).toEqual(["*"]);
    expect(createRequest(form({ kind: "rsa", allApis: true })).apis).toEqual(["billing"]);
    expect(createRequest(form({ kind: "rsa" }))).toMatchObject({ projects: ["apollo"], rsa_bits: 3072 });
    expect(createRequest(form({ kind: "jwt" }))).toMatchObject({ users: ["ada"], jwt_alg: "RS256" });
    const external = createRequest(form({ kind: "external", value: " glpat-x ", service: "" }));
    expect(external).toMatchObject({ apis: [], value: "glpat-x", service: null });
    expect(createRequest(form({ expiry: "custom", expiryDate: "2027-01-01" })).expires).toBe("2027-01-01");
  });

  it("removes an edited token's security period when the field is cleared", () => {
    const editing = tokenRow({ rotation_days: 30 });
    expect(editRequest(form({ rotation: "" }), editing).rotation_days).toBe(0);
    expect(editRequest(form({ rotation: "" }), tokenRow({ rotation_days: null })).rotation_days).toBeNull();
    expect(editRequest(form(), editing).expires).toBeNull();
    expect(editRequest(form({ expiryTouched: true, expiry: "never" }), editing).expires).toBe("never");
  });
});
