/**
 * The Generate dialog's form as data: what each kind of token asks for, the checks a
 * person gets as they type, and the request the form becomes. The dialog holds the
 * fields and shows the errors; the core checks everything again.
 */
import type { CreateRequest, EditRequest, JwtAlg, KindFields, TokenKind, TokenRow } from "../ipc";

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

/**
 * Which fields a kind of token takes: the core's rules (`TokenKind::fields`), generated
 * into `KIND_FIELDS` in `ipc/bindings.gen.ts`. A kind the list does not name takes none.
 */
export function fieldsOf(kind: TokenKind, rules: readonly KindFields[]): KindFields {
  return (
    rules.find((r) => r.kind === kind) ?? {
      kind,
      apis: false,
      all_apis: false,
      projects: false,
      users: false,
      service_account: false,
      rsa_bits: false,
      jwt_alg: false,
      value: false,
    }
  );
}

/** A form's errors, by field; empty when it may be sent. */
export type FormErrors = Partial<Record<"name" | "expiry" | "account" | "value" | "rotation", string>>;

/** The checks made before sending: `today` is YYYY-MM-DD; `editing` the token edited. */
export function validate(
  form: TokenForm,
  rules: readonly KindFields[],
  editing: TokenRow | null,
  today: string,
): FormErrors {
  const errors: FormErrors = {};
  const fields = fieldsOf(form.kind, rules);
  const name = form.name.trim();
  if (name === "") errors.name = "Enter a name for the token";
  else if (Array.from(name).length > 100) errors.name = "Use at most 100 characters";
  if (form.expiry === "custom" && (!editing || form.expiryTouched)) {
    if (form.expiryDate === "") errors.expiry = "Choose an expiration date";
    else if (form.expiryDate <= today) errors.expiry = "The expiration date must be in the future";
  }
  if (fields.service_account && form.serviceAccount === "") {
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

function apis(form: TokenForm, fields: KindFields): string[] {
  return fields.all_apis && form.allApis ? ["*"] : form.apis;
}

/** Days of the security period: null for none; 0 removes an edited token's. */
function rotationDays(form: TokenForm, editing: TokenRow | null): number | null {
  const days = form.rotation.trim();
  if (days === "") return editing?.rotation_days ? 0 : null;
  return Number(days);
}

/** What a valid form asks the core to create. */
export function createRequest(form: TokenForm, rules: readonly KindFields[]): CreateRequest {
  const fields = fieldsOf(form.kind, rules);
  return {
    kind: form.kind,
    name: form.name.trim(),
    description: form.description,
    expires: expires(form),
    apis: fields.apis ? apis(form, fields) : [],
    projects: fields.projects ? form.projects : [],
    users: fields.users ? form.users : [],
    service_account: fields.service_account ? form.serviceAccount : null,
    rsa_bits: fields.rsa_bits ? Number(form.bits) : null,
    jwt_alg: fields.jwt_alg ? form.alg : null,
    rotation_days: rotationDays(form, null),
    value: fields.value ? form.value.trim() : null,
    service: fields.value ? form.service.trim() || null : null,
  };
}

/** What a valid form asks the core to change in `editing`. */
export function editRequest(form: TokenForm, rules: readonly KindFields[], editing: TokenRow): EditRequest {
  const fields = fieldsOf(form.kind, rules);
  return {
    name: form.name.trim(),
    description: form.description,
    expires: form.expiryTouched ? expires(form) : null,
    apis: fields.apis ? apis(form, fields) : null,
    projects: fields.projects ? form.projects : null,
    users: fields.users ? form.users : null,
    service_account: fields.service_account ? form.serviceAccount : null,
    rotation_days: rotationDays(form, editing),
    service: fields.value ? form.service.trim() || null : null,
  };
}
