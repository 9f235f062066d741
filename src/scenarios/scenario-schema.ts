import { z } from "zod";
import { AUTH_PLUGIN_NAMES } from "../auth/plugins";
import { CERTIFICATE_SET_NAMES } from "../certs/catalogue";
import { FAULT_ACTIONS, FAULT_POINTS } from "../server/faults";
import { TLS_VERSIONS } from "../tls/tls-versions";

/**
 * The scenario file format: what the server is, and what a correct client must do in each
 * ssl-mode. Data only — `scenario-options.ts` turns it into server options in one place.
 */

/** The ssl-modes of MySQL 5.7.11+ clients (`--ssl-mode`, MYSQL_OPT_SSL_MODE). */
export const SSL_MODES = ["DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"] as const;
export type SslMode = (typeof SSL_MODES)[number];

/**
 * What a correct client does:
 * - `plaintext`: logs in without TLS;
 * - `tls`: logs in over TLS;
 * - `refuse-before-credentials`: gives up without sending any handshake response (user, auth data);
 * - `refused-after-credentials`: sends its credentials and is refused by the server (e.g. 3159).
 */
export const CLIENT_OUTCOMES = [
  "plaintext",
  "tls",
  "refuse-before-credentials",
  "refused-after-credentials",
] as const;
export type ClientOutcome = (typeof CLIENT_OUTCOMES)[number];

const expectation = z.union([
  z.enum(CLIENT_OUTCOMES),
  z.strictObject({
    outcome: z.enum(CLIENT_OUTCOMES),
    /** Why a correct client does this, with the manual's or the sheet's reference. */
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
  /** Where the behaviour is documented: manual sections, CVEs, the facts sheet's sections. */
  references: z.array(z.string()).optional(),
  server: server.optional(),
  accounts: z.array(account).optional(),
  /** What a correct client does in each ssl-mode. */
  expect: z.partialRecord(z.enum(SSL_MODES), expectation).optional(),
});

/** A scenario file as written (before `extends` is applied). */
export type ScenarioFile = z.infer<typeof scenarioSchema>;

/** A scenario with `extends` applied, its name, and where it came from. */
export interface Scenario extends Omit<ScenarioFile, "extends" | "$schema"> {
  name: string;
  /** The file it was read from, or `(object)` when passed to the library. */
  source: string;
  expect: Partial<Record<SslMode, { outcome: ClientOutcome; why?: string }>>;
}

/** The JSON Schema of scenario files, for editors (published as `scenarios/scenario.schema.json`). */
export function scenarioJsonSchema(): object {
  return {
    $id: "https://mysql-tls-mock.invalid/scenario.schema.json",
    title: "mysql-tls-mock scenario",
    ...z.toJSONSchema(scenarioSchema, { io: "input" }),
  };
}
