// Generated from the core by `make bindings`. Do not edit.

import type { AuditAction, KindFields, SpanUnit } from "./types";

/** The fields each kind of token takes: `TokenKind::fields` in the core. */
export const KIND_FIELDS: ReadonlyArray<KindFields> = [
  {
    "kind": "workspace",
    "apis": false,
    "all_apis": false,
    "projects": false,
    "users": false,
    "service_account": false,
    "rsa_bits": false,
    "jwt_alg": false,
    "value": false
  },
  {
    "kind": "personal",
    "apis": true,
    "all_apis": true,
    "projects": false,
    "users": false,
    "service_account": false,
    "rsa_bits": false,
    "jwt_alg": false,
    "value": false
  },
  {
    "kind": "service",
    "apis": true,
    "all_apis": true,
    "projects": false,
    "users": false,
    "service_account": true,
    "rsa_bits": false,
    "jwt_alg": false,
    "value": false
  },
  {
    "kind": "rsa",
    "apis": true,
    "all_apis": false,
    "projects": true,
    "users": false,
    "service_account": false,
    "rsa_bits": true,
    "jwt_alg": false,
    "value": false
  },
  {
    "kind": "jwt",
    "apis": true,
    "all_apis": false,
    "projects": false,
    "users": true,
    "service_account": false,
    "rsa_bits": false,
    "jwt_alg": true,
    "value": false
  },
  {
    "kind": "external",
    "apis": false,
    "all_apis": false,
    "projects": false,
    "users": false,
    "service_account": false,
    "rsa_bits": false,
    "jwt_alg": false,
    "value": true
  }
];

/** Every action the audit log records: `AuditAction::ALL` in the core. */
export const AUDIT_ACTIONS: ReadonlyArray<AuditAction> = ["create","modify","rotate","revoke","restore","delete","reveal","copy","export","import","verify","passwd","backup","run","inject","scan","serve","client_add","client_remove","recovery_key","recover","catalog_add","catalog_rename","catalog_remove"];

/** The units a span of time is told in, largest first, in seconds: `SPAN_UNITS` in the core. */
export const SPAN_UNITS: ReadonlyArray<readonly [SpanUnit, number]> = [["year",31536000],["month",2592000],["day",86400],["hour",3600],["minute",60]];
