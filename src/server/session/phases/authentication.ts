import { createHash } from "node:crypto";
import { checkRequirement } from "../../../auth/account-requirements";
import { displayClientHost, type ResolvedAccount } from "../../../auth/accounts";
import type { AuthPlugin } from "../../../auth/auth-plugin";
import { NATIVE_PASSWORD_PLUGIN, nativePasswordHash } from "../../../auth/native-password";
import { AUTH_PLUGINS, cachingSha2PasswordPlugin, clearPasswordPlugin } from "../../../auth/plugins";
import { CapabilityFlags, ServerStatus } from "../../../protocol/constants";
import type { Packet } from "../../../protocol/framing";
import { encodeAuthMoreData } from "../../../protocol/packets/auth-more-data";
import { encodeAuthSwitchRequest } from "../../../protocol/packets/auth-switch-request";
import { encodeOk } from "../../../protocol/packets/ok-packet";
import type { NegotiatedTls } from "../../../tls/tls-session";
import type { ErrSpec } from "../../errors";
import { insecureTransportAnswer } from "../insecure-transport";
import { accessDenied, OLD_CLIENT, pluginNotLoaded } from "../login-errors";
import type { SessionPorts } from "../ports";
import type { Authentication, SessionState } from "../state";

/*
 * The auth conversation, shared by the login and COM_CHANGE_USER: the client's auth data fed to
 * the account's plugin, the plugin's answers sent, and the verdict — access, or the ERR MySQL
 * sends — once the plugin is done.
 */

/**
 * The plugin that reads the client's auth data: the account's, or the default one for an unknown
 * user, as MySQL does, so the client cannot tell.
 */
export function pluginFor(s: SessionPorts, account: ResolvedAccount | undefined): AuthPlugin {
  return AUTH_PLUGINS[account?.plugin ?? s.options.defaultAuthPlugin]!;
}

/** Enters the authentication state: `plugin` starts its side of the exchange for `account`. */
export function beginAuthentication(
  s: SessionPorts,
  account: ResolvedAccount | undefined,
  plugin: AuthPlugin,
  purpose: { purpose: "login" } | { purpose: "change-user"; user: string; database: string | null },
): Authentication {
  const conversation = plugin.start({
    scramble: s.scramble,
    account,
    secure: s.wire.tls !== null,
    rsa: s.options.rsaKeys,
    cached: account !== undefined && s.server.cachingSha2Cache.has(account.user),
  });
  return s.enter({
    tag: "authentication",
    account,
    conversation,
    plugin: plugin.name,
    usedPassword: false,
    ...purpose,
  });
}

/** Asks the client to compute its auth data for `plugin` instead (an AuthSwitchRequest). */
export function switchPlugin(s: SessionPorts, plugin: AuthPlugin, during: "login" | "change-user"): void {
  s.wire.send(
    encodeAuthSwitchRequest({ pluginName: plugin.name, pluginData: plugin.switchData(s.scramble) }),
    "AuthSwitchRequest",
  );
  s.recorder.authSwitch(plugin.name, during);
}

/** A client packet inside the auth exchange: more auth data for the plugin. */
export function onAuthData(s: SessionPorts, auth: Authentication, packet: Packet): SessionState {
  s.wire.received(packet, "AuthData");
  return converse(s, auth, packet.payload);
}

/**
 * Records what auth data for `plugin` exposes before any plugin has looked at it: the client's
 * first guess, which the server may switch away from or never read.
 */
export function noteAuthData(s: SessionPorts, plugin: string, data: Buffer): void {
  if (data.length === 0 || (data.length === 1 && data[0]! <= 0x02)) return;
  const exposure = plugin === clearPasswordPlugin.name ? "cleartext-password" : "scramble-reply";
  s.recorder.credentials(exposure, s.wire.tls === null, plugin);
}

/**
 * Feeds the client's auth data to the plugin and carries out its answer. `sentFor` names the
 * plugin the client computed the data for when that is not the plugin reading it: what the data
 * exposes is then what it is for the client's plugin, not what this one takes it to be.
 */
export function converse(
  s: SessionPorts,
  auth: Authentication,
  authData: Buffer,
  announce?: () => void,
  sentFor?: string,
): SessionState {
  const { step, exposure } = auth.conversation.receive(authData);
  if (sentFor !== undefined) noteAuthData(s, sentFor, authData);
  else if (exposure) s.recorder.credentials(exposure, s.wire.tls === null, auth.plugin);
  if (authData.length > 0) auth.usedPassword = true;
  // The response's event goes out once the plugin has said what its auth data exposed.
  announce?.();
  if (step.kind === "more") {
    s.wire.send(encodeAuthMoreData({ data: step.data }), "AuthMoreData");
    return auth;
  }
  for (const data of step.moreData ?? []) s.wire.send(encodeAuthMoreData({ data }), "AuthMoreData");
  return completeAuthentication(
    s,
    auth,
    step.accepted ? null : (step.reason ?? "refused by the auth plugin"),
  );
}

const INSECURE_TRANSPORT_REASON = "require_secure_transport is ON and the connection is not encrypted";

/** The plugin is done (`pluginDenial` null if it accepted): the account's checks, then OK or ERR. */
export function completeAuthentication(
  s: SessionPorts,
  auth: Authentication,
  pluginDenial: string | null,
): SessionState {
  const user = auth.purpose === "change-user" ? auth.user : (s.record.user ?? "");
  const { account } = auth;
  const tls = s.wire.tls;
  // TLS, or a Unix socket: 5.7's secure transports (shared memory aside).
  const secure = tls !== null || s.options.socketPath !== null;
  const insecure =
    s.options.requireSecureTransport && !secure ? insecureTransportAnswer(s.options.serverVersion) : null;
  if (insecure?.kind === "before-password") {
    // MariaDB 11.3+ refuses before the password counts: a wrong one gets the same answer.
    return refuseLogin(s, auth, insecure.err, INSECURE_TRANSPORT_REASON);
  }
  let denial = pluginDenial ?? (account ? requirementDenial(tls, account) : "unknown user");
  // MariaDB before 11.3 has no error of its own: the right password is denied as a wrong one is.
  if (denial === null && insecure?.kind === "access-denied") denial = INSECURE_TRANSPORT_REASON;
  if (denial === null && insecure?.kind === "after-password") {
    // After the password and REQUIRE checks, as in 5.7's acl_authenticate.
    return refuseLogin(s, auth, insecure.err, INSECURE_TRANSPORT_REASON);
  }
  if (denial !== null || account === undefined) {
    const reason = denial ?? "unknown user";
    const err = accessDenied(
      user,
      displayClientHost(s.record.client.address, s.options.skipNameResolve),
      auth.usedPassword,
    );
    s.recorder.accessDenied(user, err, reason);
    return refuseLogin(s, auth, err, reason);
  }
  s.lifecycle.clearConnectTimer();
  // caching_sha2_password: after a full authentication the server caches the hash (fast next time).
  if (account.plugin === cachingSha2PasswordPlugin.name) s.server.cachingSha2Cache.add(account.user);
  if (auth.purpose === "change-user") {
    s.recorder.databaseChanged(auth.database);
    s.wire.send(okPacket(s), "OK");
  } else {
    const info = zeroConfigInfo(s, account, tls);
    // The info is SHA-256 over the password hash, the public scramble and the certificate: an
    // offline guessing oracle for the password, so the record keeps the OK's length only.
    s.wire.send(okPacket(s, info), "OK", 1, info ? "withheld" : "by-phase");
    s.completeLogin();
  }
  s.recorder.authenticated(user);
  const next = s.enter({ tag: "command", user, account });
  s.lifecycle.armIdleTimer();
  return next;
}

/**
 * Why the plugin that must read this login (or COM_CHANGE_USER) cannot, if it cannot: a client without
 * CLIENT_PLUGIN_AUTH speaks only mysql_native_password and cannot be switched, so an account (or,
 * for an unknown user, the default plugin MySQL's decoy account takes) on another plugin refuses it
 * with 1251 (`find_mpvio_user` in sql/auth/sql_authentication.cc, 5.7 and 8.x alike); an account
 * on a plugin the server has not loaded gets 1524 (`do_auth_once`).
 */
export function pluginRefusal(
  s: SessionPorts,
  accountPlugin: string,
  caps: number,
): { err: ErrSpec; reason: string } | null {
  if (!(caps & CapabilityFlags.CLIENT_PLUGIN_AUTH) && accountPlugin !== NATIVE_PASSWORD_PLUGIN) {
    return {
      err: OLD_CLIENT,
      reason: `the account uses ${accountPlugin}, which a client without CLIENT_PLUGIN_AUTH cannot`,
    };
  }
  if (s.options.disabledAuthPlugins.includes(accountPlugin)) {
    return {
      err: pluginNotLoaded(accountPlugin),
      reason: `the account uses ${accountPlugin}, which the server has not loaded`,
    };
  }
  return null;
}

/**
 * Refuses a login with an ERR and closes. A refused COM_CHANGE_USER closes the session too, as
 * 5.7's dispatch_command does (`thd->killed= THD::KILL_CONNECTION`); the record keeps that the
 * client had logged in and says why its session ended.
 */
export function refuseLogin(
  s: SessionPorts,
  auth: Authentication,
  err: ErrSpec,
  reason: string,
): SessionState {
  if (auth.purpose !== "change-user") return s.lifecycle.refuse(err, reason);
  s.wire.sendErr(err);
  return s.lifecycle.endWithError(
    `COM_CHANGE_USER to '${auth.user}' refused with ${err.code}: ${reason}`,
    "graceful",
  );
}

/** The account's REQUIRE rule, checked only after the password verified, as in 5.7. */
function requirementDenial(tls: NegotiatedTls | null, account: ResolvedAccount): string | null {
  const result = checkRequirement(account.require, {
    tls: tls ? { cipher: tls.cipher } : null,
    clientCertificate: tls?.clientCertificate ?? null,
    clientCertificateVerified: tls?.clientCertificateVerified ?? false,
  });
  return result.ok ? null : result.reason;
}

function okPacket(s: SessionPorts, info?: string): Buffer {
  return encodeOk(
    {
      affectedRows: 0,
      lastInsertId: 0,
      statusFlags: ServerStatus.SERVER_STATUS_AUTOCOMMIT,
      warnings: 0,
      ...(info ? { info } : {}),
    },
    s.clientCapabilities,
  );
}

/** MariaDB 11.4's certificate check for clients that trusted a self-signed certificate. */
function zeroConfigInfo(
  s: SessionPorts,
  account: ResolvedAccount,
  tls: NegotiatedTls | null,
): string | undefined {
  const mode = s.options.zeroConfigFingerprint;
  if (!mode || !tls || account.plugin !== NATIVE_PASSWORD_PLUGIN) return undefined;
  const digest = createHash("sha256")
    .update(nativePasswordHash(account.password))
    .update(s.scramble)
    .update(s.options.tls!.certificateSha256)
    .digest();
  if (mode === "wrong") digest[0] = digest[0]! ^ 0xff;
  return `\x01${digest.toString("hex")}`;
}
