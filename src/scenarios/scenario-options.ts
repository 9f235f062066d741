import { describeRequirement } from "../auth/account-requirements";
import type { Account } from "../auth/accounts";
import { NATIVE_PASSWORD_PLUGIN } from "../auth/native-password";
import { DEFAULT_SERVER_VERSION, type MockServerOptions } from "../options/server-options";
import { servedVersionProblem, type TlsOptions } from "../options/tls-options";
import { MYSQL_57_YASSL_CIPHERS, mysql57CipherString, mysql8CipherString } from "../tls/mysql-ciphers";
import { compareTlsVersions, type TlsVersion } from "../tls/tls-versions";
import { ScenarioError } from "./load-scenario";
import type { Scenario } from "./scenario-schema";
import { LoadedTlsFiles, type TlsFilePaths } from "./tls-files";

/** Named cipher lists a scenario may ask for instead of an OpenSSL string. */
const CIPHER_PROFILES: Record<string, () => string> = {
  "mysql-5.7-openssl": () => mysql57CipherString(),
  "mysql-5.7-yassl": () => mysql57CipherString(MYSQL_57_YASSL_CIPHERS),
  "mysql-8-openssl": () => mysql8CipherString(),
};

/** The range the versions span; the schema has checked they leave no gap. */
function versionRange(versions: TlsVersion[]): { minVersion: TlsVersion; maxVersion: TlsVersion } {
  const sorted = [...versions].sort(compareTlsVersions);
  return { minVersion: sorted[0]!, maxVersion: sorted[sorted.length - 1]! };
}

/** The account flags of `serve` (`--user`, `--password`, `--require`); each absent when not given. */
export interface AccountFlags {
  user?: string;
  password?: string;
  /** A REQUIRE clause, e.g. `X509` or `SUBJECT '/CN=app'`. */
  require?: string;
}

/** The accounts a scenario serves once the account flags are applied, and what the flags changed. */
export interface AccountOverride {
  /** Empty when the scenario has none and no flag was given (the server's default account then). */
  accounts: Account[];
  /** One sentence on what the flags changed and what they kept, for the banner; null without flags. */
  changes: string | null;
}

/** The user and password a flag-made account gets when a flag leaves one out, as MySQL's root/root default. */
const FLAG_ACCOUNT_DEFAULT = { user: "root", password: "root" } as const;

function requireText(account: Account): string {
  const require = account.require ?? "NONE";
  return typeof require === "string" ? `REQUIRE ${require}` : describeRequirement(require);
}

function pluginText(account: Account, scenario: Scenario): string {
  if (account.plugin) return `plugin ${account.plugin}`;
  return `plugin ${scenario.server?.defaultAuthPlugin ?? NATIVE_PASSWORD_PLUGIN} (the server's default)`;
}

function flagNames(flags: AccountFlags): string {
  const names = [
    flags.user !== undefined ? "--user" : null,
    flags.password !== undefined ? "--password" : null,
    flags.require !== undefined ? "--require" : null,
  ].filter((n): n is string => n !== null);
  return names.join("/");
}

/** `account`, with what the flags give replacing its user, password and REQUIRE rule; the rest kept. */
function edit(account: Account, flags: AccountFlags): Account {
  return {
    ...account,
    ...(flags.user !== undefined ? { user: flags.user } : {}),
    ...(flags.password !== undefined ? { password: flags.password } : {}),
    ...(flags.require !== undefined ? { require: flags.require } : {}),
  };
}

/** "user root → app, password, REQUIRE X509": what an edit changed (never the password itself). */
function describeEdit(before: Account, flags: AccountFlags): string {
  const changed = [
    flags.user !== undefined && flags.user !== before.user ? `user ${before.user} → ${flags.user}` : null,
    flags.password !== undefined ? "password" : null,
    flags.require !== undefined ? `${requireText(before)} → REQUIRE ${flags.require}` : null,
  ].filter((c): c is string => c !== null);
  return changed.length > 0 ? changed.join(", ") : "nothing";
}

/**
 * Applies `serve`'s account flags to a scenario, keeping what makes the scenario what it is (an
 * account's plugin, host and REQUIRE rule: `rogue-cleartext-switch` still switches the client to
 * `mysql_clear_password`, `account-require-x509` still asks for a certificate):
 *
 * - `--user` naming one of the scenario's accounts: that account takes the flags' password and
 *   REQUIRE rule, where given; nothing else changes.
 * - Otherwise, a scenario with exactly one account (every built-in that has accounts): that account
 *   takes the flags' user, password and REQUIRE rule, where given. It is changed, not joined by a
 *   second one, so the scenario's credentials no longer log in.
 * - Otherwise, with several accounts: a new account (first, for tools that suggest a login) with
 *   the plugin, host and REQUIRE rule of the scenario's first account; the others stay.
 * - Otherwise (no accounts): the flags' account replaces the server's default root/root, with the
 *   server's default plugin.
 *
 * A flag left out keeps the scenario's value (root/root for an account the flags create).
 */
export function overrideAccounts(scenario: Scenario, flags: AccountFlags): AccountOverride {
  const accounts = scenario.accounts ?? [];
  const given = flagNames(flags);
  if (!given) return { accounts: [...accounts], changes: null };
  const named = flags.user !== undefined ? accounts.filter((a) => a.user === flags.user) : [];
  const target = named.length > 0 ? named : accounts.length === 1 ? accounts : [];
  if (target.length > 0) {
    const first = target[0]!;
    return {
      accounts: accounts.map((a) => (target.includes(a) ? edit(a, flags) : a)),
      changes:
        `${given} changed the scenario's account ${first.user}: ${describeEdit(first, flags)}; ` +
        `kept from the scenario: ${pluginText(first, scenario)}` +
        (flags.require === undefined ? `, ${requireText(first)}` : "") +
        (first.host ? `, host ${first.host}` : ""),
    };
  }
  const template = accounts[0];
  const added = edit(
    {
      ...FLAG_ACCOUNT_DEFAULT,
      ...(template?.plugin ? { plugin: template.plugin } : {}),
      ...(template?.host ? { host: template.host } : {}),
      ...(template?.require !== undefined ? { require: template.require } : {}),
    },
    flags,
  );
  return {
    // The flags' account first: tools that suggest a login pick the first account.
    accounts: [added, ...accounts],
    changes: template
      ? `${given} added account ${added.user}, first, with the ${pluginText(template, scenario)}` +
        (flags.require === undefined ? ` and ${requireText(template)}` : "") +
        ` of the scenario's first account ${template.user}; the scenario's ${accounts.length} accounts are unchanged`
      : `${given} set the only account: ${added.user}, ${pluginText(added, scenario)}, ${requireText(added)} ` +
        `(the scenario has none; it replaces the default root/root)`,
  };
}

/**
 * The PEM text `server.tls.files` named, as the `tls` option's cert, key and ca: read when the
 * scenario was loaded, never here (this runs again for every `setScenario` and flag override).
 */
function filesTls(scenario: Scenario, files: TlsFilePaths): Pick<TlsOptions, "cert" | "key" | "ca"> {
  if (!(files instanceof LoadedTlsFiles)) {
    throw new ScenarioError(
      scenario.source,
      "server.tls.files",
      "the files have not been read: load the scenario with loadScenario, which reads them",
    );
  }
  const { cert, key, ca } = files.pem();
  return { cert, key, ...(ca !== undefined ? { ca } : {}) };
}

/**
 * The one place a scenario becomes server options. `accountFlags` (the CLI's --user, --password
 * and --require) change the scenario's accounts as {@link overrideAccounts} says.
 */
export function scenarioToOptions(scenario: Scenario, accountFlags: AccountFlags = {}): MockServerOptions {
  // The keys renamed or mapped on the way; every other key of `server` is an option of the same name.
  const { version, unixSocket, versionComment, tls: tlsSpec, rsaKeys, ...sameName } = scenario.server ?? {};
  let tls: TlsOptions | false = false;
  if (tlsSpec !== false) {
    const spec = tlsSpec ?? {};
    const range = spec.versions ? versionRange(spec.versions) : null;
    const problem = range && servedVersionProblem(version ?? DEFAULT_SERVER_VERSION, range.maxVersion);
    if (problem) throw new ScenarioError(scenario.source, "server.tls.versions", problem);
    tls = {
      ...range,
      ...(spec.ciphers ? { ciphers: CIPHER_PROFILES[spec.ciphers]?.() ?? spec.ciphers } : {}),
      ...(spec.certificates ? { certificates: spec.certificates } : {}),
      ...(spec.files ? filesTls(scenario, spec.files) : {}),
      ...(spec.clientCertificates ? { clientCertificates: spec.clientCertificates } : {}),
    };
  }
  const { accounts } = overrideAccounts(scenario, accountFlags);
  return {
    ...sameName,
    tls,
    ...(version ? { serverVersion: version } : {}),
    ...(unixSocket ? { socketPath: true as const } : {}),
    ...(versionComment ? { versionComment } : {}),
    ...(rsaKeys === false ? { rsaKeys: false as const } : {}),
    ...(accounts.length > 0 ? { accounts } : {}),
  };
}
