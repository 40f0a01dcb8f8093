/**
 * The Generate dialog's form as data: what each kind of token asks for, the checks a
 * person gets as they type, and the request the form becomes. The dialog holds the
 * fields and shows the errors; the core checks everything again.
 */
import type { CreateRequest, EditRequest, JwtAlg, TokenKind, TokenRow } from "../ipc";

export type ExpiryChoice = "7d" | "30d" | "60d" | "90d" | "custom" | "never";

/** Everything the dialog's fields hold. */
export interface TokenForm {
  kind: TokenKind;
  name: string;
  description: string;
  expiry: ExpiryChoice;
  /** YYYY-MM-DD, for a custom expiry. */
  expiryDate: string;
  /** Whether the person changed the expiry (an edit keeps it otherwise). */
  expiryTouched: boolean;
  apis: string[];
  allApis: boolean;
  projects: string[];
  users: string[];
  serviceAccount: string;
  bits: string;
  alg: JwtAlg;
  /** Days of the security period, as typed. */
  rotation: string;
  /** The pasted value of an external token. */
  value: string;
  service: string;
}

/** Which fields a kind of token has, as the core's rules say (`check_fields`). */
export interface KindFields {
  apis: boolean;
  /** "All APIs" is a choice for personal and service tokens only. */
  allApis: boolean;
  projects: boolean;
  users: boolean;
  serviceAccount: boolean;
  bits: boolean;
  alg: boolean;
  value: boolean;
}

export function fieldsOf(kind: TokenKind): KindFields {
  return {
    apis: kind === "personal" || kind === "service" || kind === "rsa" || kind === "jwt",
    allApis: kind === "personal" || kind === "service",
    projects: kind === "rsa",
    users: kind === "jwt",
    serviceAccount: kind === "service",
    bits: kind === "rsa",
    alg: kind === "jwt",
    value: kind === "external",
  };
}

/** A form's errors, by field; empty when it may be sent. */
export type FormErrors = Partial<Record<"name" | "expiry" | "account" | "value" | "rotation", string>>;

/** The checks made before sending: `today` is YYYY-MM-DD; `editing` the token edited. */
export function validate(form: TokenForm, editing: TokenRow | null, today: string): FormErrors {
  const errors: FormErrors = {};
  const fields = fieldsOf(form.kind);
  const name = form.name.trim();
  if (name === "") errors.name = "Enter a name for the token";
  else if (Array.from(name).length > 100) errors.name = "Use at most 100 characters";
  if (form.expiry === "custom" && (!editing || form.expiryTouched)) {
    if (form.expiryDate === "") errors.expiry = "Choose an expiration date";
    else if (form.expiryDate <= today) errors.expiry = "The expiration date must be in the future";
  }
  if (fields.serviceAccount && form.serviceAccount === "") {
    errors.account = "Choose the service account that owns this token";
  }
  if (fields.value && !editing && form.value.trim() === "") errors.value = "Paste the token you want to keep";
  if (form.rotation.trim() !== "" && !/^\d+$/.test(form.rotation.trim())) {
    errors.rotation = "Enter a whole number of days";
  }
  return errors;
}

function expires(form: TokenForm): string {
  return form.expiry === "custom" ? form.expiryDate : form.expiry;
}

function apis(form: TokenForm): string[] {
  return fieldsOf(form.kind).allApis && form.allApis ? ["*"] : form.apis;
}

/** Days of the security period: null for none; 0 removes an edited token's. */
function rotationDays(form: TokenForm, editing: TokenRow | null): number | null {
  const days = form.rotation.trim();
  if (days === "") return editing?.rotation_days ? 0 : null;
  return Number(days);
}

/** What a valid form asks the core to create. */
export function createRequest(form: TokenForm): CreateRequest {
  const fields = fieldsOf(form.kind);
  return {
    kind: form.kind,
    name: form.name.trim(),
    description: form.description,
    expires: expires(form),
    apis: fields.apis ? apis(form) : [],
    projects: fields.projects ? form.projects : [],
    users: fields.users ? form.users : [],
    service_account: fields.serviceAccount ? form.serviceAccount : null,
    rsa_bits: fields.bits ? Number(form.bits) : null,
    jwt_alg: fields.alg ? form.alg : null,
    rotation_days: rotationDays(form, null),
    value: fields.value ? form.value.trim() : null,
    service: fields.value ? form.service.trim() || null : null,
  };
}

/** What a valid form asks the core to change in `editing`. */
export function editRequest(form: TokenForm, editing: TokenRow): EditRequest {
  const fields = fieldsOf(form.kind);
  return {
    name: form.name.trim(),
    description: form.description,
    expires: form.expiryTouched ? expires(form) : null,
    apis: fields.apis ? apis(form) : null,
    projects: fields.projects ? form.projects : null,
    users: fields.users ? form.users : null,
    service_account: fields.serviceAccount ? form.serviceAccount : null,
    rotation_days: rotationDays(form, editing),
    service: fields.value ? form.service.trim() || null : null,
  };
}
