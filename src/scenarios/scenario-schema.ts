import { z } from "zod";
import { AUTH_PLUGIN_NAMES } from "../auth/plugins";
import { CERTIFICATE_SET_NAMES } from "../certs/catalogue";
import { FAULT_ACTIONS, FAULT_POINTS } from "../server/faults";
import { CLIENT_SSL_WITHOUT_TLS } from "../server/options";
import { TLS_VERSIONS } from "../tls/tls-versions";
import { CLIENT_OUTCOMES, type ClientOutcome, SSL_MODES, type SslMode } from "../record/findings";

/**
 * The scenario file format: what the server is, and what a correct client must do in each
 * ssl-mode. Data only — `scenario-options.ts` turns it into server options in one place.
 */

// The ssl-modes and the four outcomes belong to the record's judgement; scenario files name them.
export { CLIENT_OUTCOMES, type ClientOutcome, SSL_MODES, type SslMode } from "../record/findings";

const expectation = z.union([
  z.enum(CLIENT_OUTCOMES),
  z.strictObject({
    outcome: z.enum(CLIENT_OUTCOMES),
    /** Why a correct client does this, with a public reference (manual section, CVE, source file). */
    why: z.string().optional(),
  }),
]);

const account = z.strictObject({
  user: z.string(),
  password: z.string(),
  host: z.string().optional(),
  plugin: z.enum(AUTH_PLUGIN_NAMES).optional(),
  require: z
    .union([
      z.string(),
      z.strictObject({
        issuer: z.string().optional(),
        subject: z.string().optional(),
        cipher: z.string().optional(),
      }),
    ])
    .optional(),
});

/** Whether `versions` (in any order, without repeats) leave no gap between the lowest and highest. */
function formsRange(versions: readonly (typeof TLS_VERSIONS)[number][]): boolean {
  const indexes = versions.map((v) => TLS_VERSIONS.indexOf(v)).sort((a, b) => a - b);
  return indexes.every((index, i) => index === indexes[0]! + i);
}

const tls = z.strictObject({
  /** The versions served, as MySQL's tls_version lists them; they must form a range. */
  versions: z
    .array(z.enum(TLS_VERSIONS))
    .min(1)
    .refine((versions) => formsRange(versions), {
      message: "the versions must form a range without gaps (node:tls serves a range)",
    })
    .optional(),
  /** `mysql-5.7-openssl`, `mysql-5.7-yassl`, or an OpenSSL cipher string. */
  ciphers: z.string().optional(),
  /** A certificate set from the catalogue (`mysql-tls-mock certs list`). */
  certificates: z.enum(CERTIFICATE_SET_NAMES).optional(),
  clientCertificates: z.enum(["none", "request", "require"]).optional(),
});

const server = z.strictObject({
  version: z.string().optional(),
  /** Listen on a Unix socket (in a fresh temp folder) instead of TCP. */
  unixSocket: z.boolean().optional(),
  versionComment: z.string().optional(),
  /** The greeting's capability word; e.g. 0xC1FFF7FF for a TLS-stripping proxy. */
  capabilityFlags: z.number().int().min(0).max(0xffffffff).optional(),
  characterSet: z.number().int().min(0).max(255).optional(),
  /** The greeting's auth-plugin-data length byte (21; 20 reproduces a broken server). */
  authPluginDataLengthByte: z.number().int().min(0).max(255).optional(),
  /** MariaDB 11.4+ zero-configuration SSL: the certificate hash in the OK packet. */
  zeroConfigFingerprint: z.enum(["correct", "wrong"]).optional(),
  /** MariaDB extended capabilities in the greeting's last 4 reserved bytes. */
  mariadbCapabilities: z.number().int().min(0).max(0xffffffff).optional(),
  tls: z.union([z.literal(false), tls]).optional(),
  /** The plugin the greeting names (5.7: mysql_native_password; 8.0: caching_sha2_password). */
  defaultAuthPlugin: z.enum(AUTH_PLUGIN_NAMES).exclude(["mysql_clear_password"]).optional(),
  /** Whether the server has RSA keys for sha256/caching_sha2 over plaintext (yaSSL builds have none). */
  rsaKeys: z.boolean().optional(),
  cachingSha2CacheWarm: z.boolean().optional(),
  requireSecureTransport: z.boolean().optional(),
  /**
   * The answer to CLIENT_SSL the greeting did not offer: `bad-handshake` (MySQL 5.7/8.0: ERR 1043),
   * `mask` (MariaDB, MySQL 5.6 and older: a full response logs in in plaintext), `strip` (a
   * TLS-stripping man in the middle). Default by server family.
   */
  clientSslWithoutTls: z.enum(CLIENT_SSL_WITHOUT_TLS).optional(),
  systemVariables: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).optional(),
  /** Deliberate misbehaviour at protocol points. */
  faults: z
    .strictObject({
      delayMs: z.number().min(0).optional(),
      greetingWrites: z.number().int().min(1).max(64).optional(),
      breakAt: z.strictObject({ point: z.enum(FAULT_POINTS), action: z.enum(FAULT_ACTIONS) }).optional(),
      refuseLoginWith: z
        .strictObject({ code: z.number().int(), sqlState: z.string().length(5), message: z.string() })
        .optional(),
    })
    .optional(),
});

export const scenarioSchema = z.strictObject({
  /** JSON Schema reference, for editors. */
  $schema: z.string().optional(),
  /** Another scenario (built-in name or a path relative to this file) this one starts from. */
  extends: z.string().optional(),
  /** One line: the behaviour this scenario reproduces. */
  description: z.string().min(1),
  /** Where the behaviour is documented: manual sections, CVEs, server source files, bug numbers. */
  references: z.array(z.string()).optional(),
  server: server.optional(),
  accounts: z.array(account).optional(),
  /**
   * What a correct client does in each ssl-mode.
   *
   * With `extends`, the parent's expectations are inherited mode by mode only when this file
   * changes nothing that decides a client's TLS or login outcome: it may change `description`,
   * `references`, `server.versionComment` and `server.systemVariables`
   * (`OUTCOME_NEUTRAL_KEYS` in load-scenario.ts), nothing else under `server` or `accounts`. Any other change
   * drops every inherited expectation, and this table is then all the scenario has. Entries here
   * always win over inherited ones. A scenario left without expectations can still be served; the
   * loader gives it a warning note and an audit has nothing to judge.
   */
  expect: z.partialRecord(z.enum(SSL_MODES), expectation).optional(),
});

/** A scenario file as written (before `extends` is applied). */
export type ScenarioFile = z.infer<typeof scenarioSchema>;

/** One scenario in an `extends` chain, as expectations name where they were written. */
export interface ScenarioOrigin {
  /** The scenario's name: a built-in name, a file name without its extension, or `(object)`. */
  name: string;
  /** The file, or `(object)` for a scenario passed to the library. */
  source: string;
}

/** What a correct client does in one ssl-mode, and the scenario that said so. */
export interface Expectation {
  outcome: ClientOutcome;
  why?: string;
  /** The scenario whose own `expect` holds this entry: the loaded one, or an ancestor it inherited it from. */
  from: ScenarioOrigin;
}

/** Expectations a scenario in the chain did not inherit, and why. */
export interface DroppedExpectations {
  /** The scenario whose changes dropped them (the loaded one or an ancestor). */
  by: ScenarioOrigin;
  /** The scenario it extends, whose resolved expectations were dropped. */
  parent: ScenarioOrigin;
  /**
   * The changed keys that decide a client's TLS or login outcome, as dotted paths
   * (`server.tls.certificates`, `accounts[0].require`, `server.tls` when `tls: false` replaces an object).
   */
  changedKeys: string[];
  /** The parent's expectations as they were, each with where it came from. */
  expectations: Partial<Record<SslMode, Expectation>>;
}

/** Something about a loaded scenario a caller should show its user; the scenario can still be served. */
export interface ScenarioNote {
  level: "warning";
  message: string;
}

/** A scenario with `extends` applied, its name, and where it came from. */
export interface Scenario extends Omit<ScenarioFile, "extends" | "$schema"> {
  name: string;
  /** The file it was read from, or `(object)` when passed to the library. */
  source: string;
  /** What a correct client does per ssl-mode: this scenario's own entries, then any it inherited. */
  expect: Partial<Record<SslMode, Expectation>>;
  /** The latest inherited expectations the chain dropped, if any (the reason this table may be short). */
  droppedExpectations?: DroppedExpectations;
  /** Warnings about the scenario, e.g. that it dropped its inherited expectations and declares none. */
  notes: ScenarioNote[];
}

/** The JSON Schema of scenario files, for editors (published as `scenarios/scenario.schema.json`). */
export function scenarioJsonSchema(): object {
  return {
    $id: "https://mysql-tls-mock.invalid/scenario.schema.json",
    title: "mysql-tls-mock scenario",
    ...z.toJSONSchema(scenarioSchema, { io: "input" }),
  };
}
