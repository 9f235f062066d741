import { z } from "zod";
import { accountSchema, authPluginChoice } from "../options/account-options";
import { text } from "../options/option-types";
import { serverOptionFields, unsignedWord } from "../options/server-options";
import { formsRange, tlsOptionFields, tlsVersion } from "../options/tls-options";
import { CLIENT_OUTCOMES, type ClientOutcome, SSL_MODES, type SslMode } from "../record/findings";

/**
 * The scenario file format: what the server is, and what a correct client must do in each
 * ssl-mode. Data only — `scenario-options.ts` turns it into server options in one place. The
 * `server` section and the accounts are the server's options (src/options) as a file writes them:
 * the same definitions, each optional and without its default (a scenario says only what it
 * changes, and `extends` merges what it says), with a few keys renamed or written another way.
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

/** A path of `server.tls.files`, relative to the folder of the file that names it. */
const filePath = () => text({ nonEmpty: true, noNul: true });

/** The `tls` section: the option's fields, with the version range as MySQL's tls_version lists it. */
const tls = z
  .strictObject({
    /** The versions served, as MySQL's tls_version lists them; they must form a range. */
    versions: z
      .array(tlsVersion())
      .min(1)
      .refine((versions) => formsRange(versions), {
        message: "the versions must form a range without gaps (node:tls serves a range)",
      })
      .optional(),
    /** `mysql-5.7-openssl`, `mysql-5.7-yassl`, `mysql-8-openssl` (8.0.35+, 8.4, 9.x), or an OpenSSL cipher string. */
    ciphers: z.string().optional(),
    certificates: tlsOptionFields.certificates,
    /**
     * Your own certificate files instead of a catalogue set, each a path relative to the folder of
     * the scenario file that names it (the working directory for a scenario object). Read once, when
     * the scenario is loaded. `ca` is the CA a correctly configured client trusts (`--ssl-ca`, the
     * server's `ca`/`caFile`, an audit's `{ca}`) and the one client certificates are verified
     * against; without it, no CA is known. An extending scenario's `files` replaces its parent's
     * whole, as does a `certificates` (the three files are one set).
     */
    files: z
      .strictObject({
        /** Server certificate chain (PEM), leaf first. */
        cert: filePath(),
        /** The certificate's private key (PEM, unencrypted). */
        key: filePath(),
        /** CA certificates (PEM) a client verifies the server with, and client certificates are verified against. */
        ca: filePath().optional(),
      })
      .optional(),
    clientCertificates: tlsOptionFields.clientCertificates.unwrap().optional(),
  })
  .superRefine((spec, context) => {
    if (spec.certificates !== undefined && spec.files !== undefined) {
      context.addIssue({
        code: "custom",
        path: ["certificates"],
        message: "not together with server.tls.files: serve a catalogue set or your own certificate files",
      });
    }
  });

/** An account as a file writes it: the plugin one of the names the JSON Schema lists. */
const account = accountSchema.extend({ plugin: authPluginChoice().optional() });

const option = serverOptionFields;

const server = z.strictObject({
  /** The greeting's version string (the option `serverVersion`). */
  version: option.serverVersion.unwrap().optional(),
  /** Listen on a Unix socket (in a fresh temp folder) instead of TCP (the option `socketPath: true`). */
  unixSocket: z.boolean().optional(),
  versionComment: option.versionComment.unwrap().optional(),
  /** The greeting's capability word, unsigned; e.g. 0xC1FFF7FF for a TLS-stripping proxy. */
  capabilityFlags: unsignedWord().optional(),
  characterSet: option.characterSet.unwrap().optional(),
  authPluginDataLengthByte: option.authPluginDataLengthByte.unwrap().optional(),
  zeroConfigFingerprint: option.zeroConfigFingerprint,
  /** MariaDB extended capabilities in the greeting's last 4 reserved bytes, unsigned. */
  mariadbCapabilities: unsignedWord().optional(),
  tls: z.union([z.literal(false), tls]).optional(),
  /** The plugin the greeting names; no real server's default is mysql_clear_password. */
  defaultAuthPlugin: authPluginChoice().exclude(["mysql_clear_password"]).optional(),
  /** Whether the server has RSA keys for sha256/caching_sha2 over plaintext (yaSSL builds have none). */
  rsaKeys: z.boolean().optional(),
  cachingSha2CacheWarm: option.cachingSha2CacheWarm.unwrap().optional(),
  requireSecureTransport: option.requireSecureTransport.unwrap().optional(),
  clientSslWithoutTls: option.clientSslWithoutTls,
  systemVariables: option.systemVariables,
  faults: option.faults,
  /** skip_name_resolve: a loopback TCP client is named by its address, not `localhost`. Default false. */
  skipNameResolve: option.skipNameResolve.unwrap().optional(),
  /** Auth plugins the server has not loaded, e.g. `[mysql_native_password]` on MySQL 8.4 and 9.x. */
  disabledAuthPlugins: option.disabledAuthPlugins.unwrap().optional(),
  /** Answer the client's first query with a LOAD DATA LOCAL request for this file (a rogue server). */
  localInfileRequest: option.localInfileRequest,
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
