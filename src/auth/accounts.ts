import { type AccountRequirement, parseRequireClause } from "./account-requirements";
import { NATIVE_PASSWORD_PLUGIN } from "./native-password";

/** A MySQL account the mock server accepts. */
export interface Account {
  /** User name, compared exactly (MySQL user names are case-sensitive). */
  user: string;
  /** Plaintext password; the empty string means "no password". */
  password: string;
  /**
   * MySQL host pattern (`%` and `_` wildcards), matched against the client's address and, for
   * loopback clients, `localhost`. Default `%` (any host).
   */
  host?: string;
  /** Authentication plugin of the account. Default `mysql_native_password`. */
  plugin?: string;
  /**
   * TLS the account requires, as `CREATE USER … REQUIRE` sets it: `"SSL"`, `"X509"`,
   * `{ subject, issuer, cipher }`, or MySQL's own text (`"SUBJECT '/CN=app' AND CIPHER '…'"`).
   * Default `NONE`.
   */
  require?: AccountRequirement | string;
}

/** An account with every default filled in. */
export interface ResolvedAccount {
  user: string;
  password: string;
  host: string;
  plugin: string;
  require: AccountRequirement;
}

/** Fills in defaults; a REQUIRE text that cannot be read throws RequireClauseError. */
export function resolveAccount(account: Account): ResolvedAccount {
  const require = account.require ?? "NONE";
  return {
    user: account.user,
    password: account.password,
    host: account.host ?? "%",
    plugin: account.plugin ?? NATIVE_PASSWORD_PLUGIN,
    require: typeof require === "string" ? parseRequireClause(require) : require,
  };
}

function hostPatternToRegExp(pattern: string): RegExp {
  let source = "";
  for (const ch of pattern) {
    if (ch === "%") source += ".*";
    else if (ch === "_") source += ".";
    else source += ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "i");
}

/**
 * The names a client address is known by, as MySQL would match them against account hosts. With
 * name resolution on (`skipNameResolve` false, both families' default), 127.0.0.1 and ::1 are
 * `localhost` first: `ip_to_hostname` in sql/hostname.cc answers `localhost` for exactly those two
 * (measured with MariaDB 10.11: a client from 127.0.0.2 is `'u'@'127.0.0.2'`). With
 * skip_name_resolve no name is looked up and a TCP client is its address alone. A Unix-socket
 * client's address is `localhost` either way.
 */
export function clientHostNames(address: string, skipNameResolve = false): string[] {
  const plain = address.startsWith("::ffff:") ? address.slice("::ffff:".length) : address;
  const names = [plain];
  if (!skipNameResolve && (plain === "127.0.0.1" || plain === "::1")) names.unshift("localhost");
  return names;
}

/**
 * The host MySQL shows in "Access denied for user 'u'@'host'" and in `USER()`: a loopback TCP
 * client appears as `localhost` on a stock server (name resolution on), as its address with
 * skip_name_resolve; anything else as its address.
 */
export function displayClientHost(address: string, skipNameResolve = false): string {
  return clientHostNames(address, skipNameResolve)[0]!;
}

/**
 * Finds the account for a user connecting from an address. Like MySQL, the most specific host
 * pattern wins: literal hosts before patterns, and `%` last.
 */
export function findAccount(
  accounts: readonly ResolvedAccount[],
  user: string,
  address: string,
  skipNameResolve = false,
): ResolvedAccount | undefined {
  const names = clientHostNames(address, skipNameResolve);
  const candidates = accounts.filter(
    (a) => a.user === user && names.some((n) => hostPatternToRegExp(a.host).test(n)),
  );
  const specificity = (host: string) => (host === "%" ? 2 : /[%_]/.test(host) ? 1 : 0);
  return candidates.sort((a, b) => specificity(a.host) - specificity(b.host))[0];
}
