/**
 * Property-based fuzzing of the command phase: a client logs in for real (any plugin, in plaintext
 * or inside TLS) and then writes commands — random, plausible, mutated — COM_CHANGE_USER among
 * them, with or without the auth data a switch asks for, split anywhere and cut off anywhere.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { computeNativePasswordReply } from "../../src/auth/native-password";
import { computeCachingSha2Reply } from "../../src/auth/plugins";
import { Command, PacketMarker } from "../../src/protocol/constants";
import { encodePacket, framesSequenceSpan } from "../../src/protocol/framing";
import { encodeComChangeUser } from "../../src/protocol/packets/com-change-user";
import type { ConnectionRecord } from "../../src/record/connection-record";
import type { MockServer } from "../../src/mock-server";
import { CLIENT_CAPABILITIES, sslRequest } from "../helpers/raw-client";
import { AuthClient } from "../server/auth-client";
import { bytes, chunksAt, cuts, type Mutation, mutate, mutation, nulFreeText, text, u8 } from "./arbitraries";
import { POST_AUTH_ACCOUNTS, PostAuthHarness } from "./post-auth-harness";
import { bareLogin, EscapeWatch, sleep, until, within } from "./pre-auth-harness";
import { fastCheckParameters, type FuzzProperty } from "./properties";

export { PostAuthHarness } from "./post-auth-harness";

/** A post-auth property: it runs against the servers of a {@link PostAuthHarness}. */
export type PostAuthProperty = FuzzProperty<PostAuthHarness>;

type PluginName =
  "mysql_native_password" | "caching_sha2_password" | "sha256_password" | "mysql_clear_password";
const PLUGINS: readonly PluginName[] = [
  "mysql_native_password",
  "caching_sha2_password",
  "sha256_password",
  "mysql_clear_password",
];

/** A piece of what the client writes after its login; the pieces are concatenated. */
type Piece =
  | { kind: "random"; bytes: Buffer }
  /** A payload framed with sequence id 0 (null) or the one given. */
  | { kind: "frame"; sequenceId: number | null; payload: Buffer }
  /** A command byte and a body. */
  | { kind: "command"; command: number; body: Buffer }
  /** COM_QUERY of a statement clients send, or of anything. */
  | { kind: "query"; sql: Buffer }
  /** COM_CHANGE_USER with auth data computed against the greeting's nonce, then maybe mutated. */
  | {
      kind: "change-user";
      user: string;
      password: "right" | "wrong" | "none";
      plugin: PluginName;
      database: string;
      mutations: Mutation[];
      sequenceId: number | null;
    }
  /** Auth data, as the answer to an AuthSwitchRequest or AuthMoreData would be (sequence id 2 by default). */
  | { kind: "auth-data"; sequenceId: number | null; data: Buffer | "password" | "native" | "sha2" }
  /** A frame header alone: an oversized claim, or the start of a truncated packet. */
  | { kind: "header"; length: number; sequenceId: number };

type Ending = "half-close" | "keep-open" | "destroy" | "reset" | "quit";

/** One connection of the post-auth property. */
export interface PostAuthScenario {
  server: "tls" | "plain";
  insideTls: boolean;
  /** The account the client logs in as, with its own plugin. */
  account: number;
  pieces: Piece[];
  /** Cut the written bytes to this length (modulo their length + 1), or not. */
  truncateTo: number | null;
  cuts: number[];
  /** Pause after each chunk (cycled). */
  delaysMs: number[];
  ending: Ending;
}

const SQL = [
  "select @@version_comment limit 1",
  "SELECT 1",
  "SELECT USER(), CURRENT_USER(), DATABASE(), CONNECTION_ID()",
  "SELECT @@session.auto_increment_increment AS x, @@max_allowed_packet",
  "SHOW STATUS LIKE 'Ssl_%'",
  "SHOW SESSION STATUS LIKE 'Ssl_cipher'",
  "SHOW VARIABLES LIKE '%ssl%'",
  "SHOW GLOBAL VARIABLES WHERE Variable_name = 'have_ssl'",
  "SHOW VARIABLES LIKE '%%%%%%%%%%%%%%%%%%%%%%%%x'",
  "SET NAMES utf8mb4",
  "SET autocommit=1",
  "USE test",
  "/* only a comment */",
  "SELECT 'a'; SELECT 'b'",
];

const queryPiece: fc.Arbitrary<Piece> = fc.record({
  kind: fc.constant("query" as const),
  sql: fc.oneof(
    { arbitrary: fc.constantFrom(...SQL).map((sql) => Buffer.from(sql)), weight: 3 },
    {
      arbitrary: fc
        .tuple(fc.constantFrom(...SQL), fc.array(mutation, { minLength: 1, maxLength: 3 }))
        .map(([sql, mutations]) => mutate(Buffer.from(sql), mutations)),
      weight: 2,
    },
    { arbitrary: text(60).map((sql) => Buffer.from(sql, "utf8")), weight: 1 },
  ),
});

/** Commands clients send after login, a few they do not, and any byte. */
const commandPiece: fc.Arbitrary<Piece> = fc.record({
  kind: fc.constant("command" as const),
  command: fc.oneof(
    fc.constantFrom(
      Command.COM_PING,
      Command.COM_INIT_DB,
      Command.COM_FIELD_LIST,
      Command.COM_SET_OPTION,
      Command.COM_STATISTICS,
      Command.COM_RESET_CONNECTION,
      Command.COM_PROCESS_KILL,
      Command.COM_STMT_PREPARE,
      Command.COM_CHANGE_USER,
      Command.COM_SLEEP,
    ),
    u8,
  ),
  body: fc.oneof(
    bytes(40),
    nulFreeText(16).map((t) => Buffer.from(t)),
  ),
});

const changeUserPiece: fc.Arbitrary<Piece> = fc.record({
  kind: fc.constant("change-user" as const),
  user: fc.oneof(
    { arbitrary: fc.constantFrom(...POST_AUTH_ACCOUNTS.map((a) => a.user)), weight: 5 },
    { arbitrary: nulFreeText(12), weight: 1 },
  ),
  password: fc.constantFrom("right" as const, "right" as const, "wrong" as const, "none" as const),
  plugin: fc.constantFrom(...PLUGINS),
  database: fc.oneof(fc.constant(""), fc.constant("shop"), nulFreeText(10)),
  mutations: fc.oneof(
    { arbitrary: fc.constant<Mutation[]>([]), weight: 3 },
    { arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }), weight: 1 },
  ),
  sequenceId: fc.oneof({ arbitrary: fc.constant(null), weight: 6 }, { arbitrary: u8, weight: 1 }),
});

/** Any sequence id but 0: a packet with 0 is a command, whose text the server may record. */
const replySequenceId = fc.integer({ min: 1, max: 0xff });

const authDataPiece: fc.Arbitrary<Piece> = fc.record({
  kind: fc.constant("auth-data" as const),
  sequenceId: fc.oneof(
    { arbitrary: fc.constant(null), weight: 5 },
    { arbitrary: replySequenceId, weight: 1 },
  ),
  data: fc.oneof(
    fc.constantFrom("password" as const, "native" as const, "sha2" as const),
    fc.constantFrom(Buffer.from([0x01]), Buffer.from([0x02]), Buffer.from([0x00]), Buffer.alloc(0)),
    bytes(40),
    bytes(300, 256),
  ),
});

const framePiece: fc.Arbitrary<Piece> = fc.record({
  kind: fc.constant("frame" as const),
  sequenceId: fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: u8, weight: 1 }),
  payload: bytes(80),
});

const headerPiece: fc.Arbitrary<Piece> = fc.record({
  kind: fc.constant("header" as const),
  // Around max_allowed_packet (4 MiB by default), the continuation mark, or a small truncated one.
  length: fc.oneof(fc.constantFrom(0xffffff, 0x400000, 0x400001, 0x3fffff), fc.nat({ max: 64 })),
  sequenceId: fc.oneof(fc.constant(0), u8),
});

const randomPiece: fc.Arbitrary<Piece> = fc.record({
  kind: fc.constant("random" as const),
  bytes: bytes(120, 1),
});

const anyPiece: fc.Arbitrary<Piece> = fc.oneof(
  { arbitrary: queryPiece, weight: 4 },
  { arbitrary: commandPiece, weight: 3 },
  { arbitrary: changeUserPiece, weight: 3 },
  { arbitrary: authDataPiece, weight: 2 },
  { arbitrary: framePiece, weight: 1 },
  { arbitrary: headerPiece, weight: 1 },
  { arbitrary: randomPiece, weight: 1 },
);

/** Mostly what a client does (queries, a change of user answered as asked), gone wrong somewhere. */
const plausiblePieces: fc.Arbitrary<Piece[]> = fc.oneof(
  fc.array(fc.oneof(queryPiece, queryPiece, commandPiece), { minLength: 1, maxLength: 6 }),
  fc
    .tuple(
      fc.array(queryPiece, { maxLength: 2 }),
      changeUserPiece,
      authDataPiece,
      fc.array(queryPiece, { maxLength: 2 }),
    )
    .map(([before, change, reply, after]) => [...before, change, reply, ...after]),
  fc.array(anyPiece, { minLength: 1, maxLength: 6 }),
);

const ending: fc.Arbitrary<Ending> = fc.oneof(
  { arbitrary: fc.constant("half-close" as const), weight: 4 },
  { arbitrary: fc.constant("quit" as const), weight: 2 },
  { arbitrary: fc.constant("keep-open" as const), weight: 1 },
  { arbitrary: fc.constant("destroy" as const), weight: 1 },
  { arbitrary: fc.constant("reset" as const), weight: 1 },
);

/** Most chunks go out at once; now and then the client pauses up to 20 ms. */
const MAX_PAUSE_MS = 20;
const delays = fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: MAX_PAUSE_MS })), {
  maxLength: 4,
});

const scenario: fc.Arbitrary<PostAuthScenario> = fc
  .record({
    server: fc.constantFrom("tls" as const, "plain" as const),
    tlsLogin: fc.boolean(),
    account: fc.nat({ max: POST_AUTH_ACCOUNTS.length - 1 }),
    pieces: plausiblePieces,
    truncateTo: fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, { arbitrary: fc.nat(), weight: 1 }),
    cuts,
    delaysMs: delays,
    ending,
  })
  .map(({ tlsLogin, ...s }) => ({ ...s, insideTls: s.server === "tls" && tlsLogin }));

// ---- materializing ---------------------------------------------------------------------------------

function passwordOf(user: string): string {
  return POST_AUTH_ACCOUNTS.find((a) => a.user === user)?.password ?? "no-such-account";
}

function withNul(text: string): Buffer {
  return Buffer.concat([Buffer.from(text, "utf8"), Buffer.from([0])]);
}

/** What a client of `plugin` sends first: over TLS the SHA-2 plugins' full path sends the password itself. */
function authDataFor(plugin: PluginName, password: string, scramble: Buffer, tls: boolean): Buffer {
  switch (plugin) {
    case "caching_sha2_password":
      return computeCachingSha2Reply(password, scramble);
    case "sha256_password":
      return tls ? withNul(password) : Buffer.from([0x01]);
    case "mysql_clear_password":
      return withNul(password);
    default:
      return computeNativePasswordReply(password, scramble);
  }
}

/**
 * The bytes of the pieces. Commands take sequence id 0; auth data after a COM_CHANGE_USER takes 2
 * (the server's AuthSwitchRequest is 1), counting on from there.
 */
function materialize(pieces: readonly Piece[], scramble: Buffer, tls: boolean): Buffer {
  // Auth data before any command answers nothing: it goes out of turn, as an auth reply would.
  let next = 2;
  let password = POST_AUTH_ACCOUNTS[0]!.password;
  const frame = (payload: Buffer, given: number | null) => {
    const id = given ?? next;
    next = (id + framesSequenceSpan(payload.length)) & 0xff;
    return encodePacket(payload, id);
  };
  const command = (payload: Buffer, given: number | null = null) => {
    next = 0;
    const bytes = frame(payload, given);
    // The server answers with sequence id 1; a reply to it is 2.
    next = 2;
    return bytes;
  };
  return Buffer.concat(
    pieces.map((piece) => {
      switch (piece.kind) {
        case "random":
          return piece.bytes;
        case "frame":
          return frame(piece.payload, piece.sequenceId ?? 0);
        case "command":
          return command(Buffer.concat([Buffer.from([piece.command]), piece.body]));
        case "query":
          return command(Buffer.concat([Buffer.from([Command.COM_QUERY]), piece.sql]));
        case "change-user": {
          password = passwordOf(piece.user);
          const sent = piece.password === "right" ? password : "not-it";
          const authResponse =
            piece.password === "none" ? Buffer.alloc(0) : authDataFor(piece.plugin, sent, scramble, tls);
          const payload = encodeComChangeUser(
            {
              username: piece.user,
              authResponse,
              database: piece.database,
              characterSet: 33,
              authPluginName: piece.plugin,
              connectAttributes: [["_client_name", "fuzz"]],
            },
            CLIENT_CAPABILITIES,
          );
          // Mutated after the command byte: a command of another kind would carry the auth data
          // as, say, a query's text, which the server has every right to record.
          const mutated = Buffer.concat([
            payload.subarray(0, 1),
            mutate(payload.subarray(1), piece.mutations),
          ]);
          return command(mutated, piece.sequenceId);
        }
        case "auth-data": {
          let data: Buffer;
          if (piece.data === "password") data = withNul(password);
          else if (piece.data === "native") data = computeNativePasswordReply(password, scramble);
          else if (piece.data === "sha2") data = computeCachingSha2Reply(password, scramble);
          else data = piece.data;
          // Never 0 (after a frame that wrapped the count around): that would make it a command.
          return frame(data, piece.sequenceId ?? (next || 1));
        }
        case "header":
          return Buffer.from([
            piece.length & 0xff,
            (piece.length >> 8) & 0xff,
            piece.length >> 16,
            piece.sequenceId,
          ]);
      }
    }),
  );
}

// ---- checks ----------------------------------------------------------------------------------------

/** The record ended, and says why; a logged-in client stays on the record as logged in. */
function assertEndedWithReason(record: ConnectionRecord): void {
  const outcome = record.outcome;
  const bad = (why: string) => new Error(`connection #${record.id} ${why}: ${JSON.stringify(outcome)}`);
  if (record.endedAt === null) throw bad("has no endedAt");
  if (record.phase !== "closed") throw bad(`is closed but its phase is ${record.phase}`);
  if (outcome.kind !== "authenticated") throw bad("logged in, yet its outcome is not authenticated");
  if (outcome.ended === null) throw bad("closed without saying how the session ended");
  if (outcome.ended === "error" && !outcome.error) throw bad("ended with an error that says nothing");
  if (outcome.ended === "server-stopped") throw bad("ended by a stop no run makes");
}

/** Passwords distinctive enough to look for as text: not a user name (root's is `root`), not short. */
const DISTINCTIVE_PASSWORDS = POST_AUTH_ACCOUNTS.map((a) => a.password).filter(
  (password) => password.length >= 8 && !POST_AUTH_ACCOUNTS.some((a) => a.user === password),
);

/**
 * What no output about the connection may hold: every distinctive password (whichever the client
 * sent), as text and hex, and each account's scramble replies against the greeting's nonce.
 */
function forbiddenFor(scramble: Buffer): string[] {
  const forbidden: string[] = [];
  for (const password of DISTINCTIVE_PASSWORDS) {
    forbidden.push(password, Buffer.from(password).toString("hex"));
  }
  for (const { password } of POST_AUTH_ACCOUNTS) {
    forbidden.push(computeNativePasswordReply(password, scramble).toString("hex"));
    forbidden.push(computeCachingSha2Reply(password, scramble).toString("hex"));
    forbidden.push(createHash("sha1").update(password).digest("hex"));
  }
  return forbidden;
}

function assertNoSecrets(what: string, output: string, scramble: Buffer): void {
  const lower = output.toLowerCase();
  for (const needle of forbiddenFor(scramble)) {
    if (output.includes(needle) || lower.includes(needle.toLowerCase())) {
      throw new Error(`${what} holds auth data (${needle.length} characters of it)`);
    }
  }
}

/** Slack on top of the servers' own timeouts before a wait counts as a hang. */
const SLACK_MS = 3000;
/** The server's close grace (2 s) and slack. */
const CLOSE_BOUND_MS = 2000 + SLACK_MS;

/** The record of a connection, and its close (the record final), as `waitForConnection` gives it. */
function connectionOf(
  server: MockServer,
  connectionId: number,
): { record: ConnectionRecord; closed: Promise<ConnectionRecord> } {
  const index = server.connections.findIndex((r) => r.id === connectionId);
  if (index < 0) throw new Error(`the server has no record of connection ${connectionId}`);
  // waitForConnection counts every connection accepted: a long run outlives the records kept.
  return {
    record: server.connections[index]!,
    closed: server.waitForConnection(server.droppedConnections + index + 1),
  };
}

async function runConnection(
  harness: PostAuthHarness,
  s: PostAuthScenario,
  watch: EscapeWatch,
): Promise<void> {
  const timeoutMs = harness.options.netTimeoutMs;
  const server = harness.server(s.server);
  const account = POST_AUTH_ACCOUNTS[s.account]!;
  const client = await within(SLACK_MS, AuthClient.connect(server.port), () => "no greeting");
  const connectionId = client.greeting.connectionId;
  const scramble = client.greeting.authPluginData;
  try {
    const { record, closed } = connectionOf(server, connectionId);
    if (s.insideTls) await within(SLACK_MS, client.startTls(encodePacket(sslRequest(), 1)), () => "no TLS");
    const login = await within(SLACK_MS, client.login(account), () => "no answer to a valid login");
    if (login?.payload[0] !== PacketMarker.OK) {
      throw new Error(`a valid login as ${account.user} got ${login?.payload.toString("hex") ?? "a close"}`);
    }
    // The client reads the replies as they come (the auth client queues them), as a driver does.
    let stream = materialize(s.pieces, scramble, s.insideTls);
    if (s.truncateTo !== null) stream = stream.subarray(0, s.truncateTo % (stream.length + 1));
    for (const [i, chunk] of chunksAt(stream, s.cuts).entries()) {
      if (client.socket.destroyed) break;
      client.write(chunk);
      const pause = s.delaysMs.length > 0 ? s.delaysMs[i % s.delaysMs.length]! : 0;
      if (pause > 0) await sleep(pause);
    }
    switch (s.ending) {
      case "quit":
        client.quit();
        break;
      case "half-close":
        client.end();
        break;
      case "keep-open":
        break;
      case "destroy":
        client.destroy();
        break;
      case "reset":
        client.reset();
        break;
    }
    // A half-sent packet or an unanswered auth switch ends by net_read_timeout; an idle session
    // waits for commands for ever (wait_timeout), so the client leaves then.
    await Promise.race([closed, sleep(timeoutMs + 200)]);
    if (record.endedAt === null) client.end();
    await within(CLOSE_BOUND_MS, closed, () => `connection #${record.id} not closed (phase ${record.phase})`);
    await until(
      () => record.verdict !== null,
      SLACK_MS,
      () => "no verdict",
    );
    assertEndedWithReason(record);
    assertNoSecrets(`the record of connection #${record.id}`, JSON.stringify(record), scramble);
    const events = harness.takeEvents(server, connectionId);
    assertNoSecrets(`the events of connection #${record.id}`, JSON.stringify(events), scramble);
  } finally {
    client.destroy();
  }
  watch.throwIfEscaped();
  // Still accepting: a fresh, valid login goes through.
  await bareLogin(server, 4 * timeoutMs + SLACK_MS);
  watch.throwIfEscaped();
}

function postAuthProperty(
  name: string,
  ciRuns: number,
  arbitrary: fc.Arbitrary<PostAuthScenario[]>,
  weight = 1,
): PostAuthProperty {
  return {
    name,
    ciRuns,
    weight,
    check: async (params, harness) => {
      const watch = new EscapeWatch().install();
      try {
        const property = fc.asyncProperty(arbitrary, async (scenarios) => {
          params.onRun?.();
          const results = await Promise.allSettled(scenarios.map((s) => runConnection(harness, s, watch)));
          const failure = results.find((r) => r.status === "rejected");
          if (failure) throw (failure as PromiseRejectedResult).reason;
        });
        const details = (await fc.check(property, {
          ...fastCheckParameters(params),
          // A run that outlives every bound of runConnection is a hang.
          timeout: 4 * SLACK_MS + CLOSE_BOUND_MS + 8 * harness.options.netTimeoutMs,
        })) as fc.RunDetails<unknown>;
        if (details.failed) return details;
        await harness.checkMysql2Logins();
        watch.throwIfEscaped();
        return details;
      } finally {
        watch.dispose();
      }
    },
  };
}

/**
 * The post-auth properties, over the harness's two servers. Each run logs one to four clients in
 * (any account, so any plugin; over TLS or not), has each write commands — queries, other commands,
 * COM_CHANGE_USER with its auth data or without, garbage — split at random points with small
 * pauses, then quit, half-close, stay, drop or reset. The server must close every connection with
 * a reason (a stall ends by net_read_timeout), keep the client on the record as logged in, put no
 * password or scramble reply in the record or the events, let no exception escape, and still log
 * in a valid client afterwards — and mysql2 after the last run.
 */
export const postAuthProperties: readonly PostAuthProperty[] = [
  postAuthProperty(
    "post-auth, commands and COM_CHANGE_USER after a real login (any plugin, TLS or not), split and cut anywhere: every connection ends with a reason, no auth data in the record or events, nothing escapes, logins still work",
    30,
    scenario.map((s) => [s]),
    2,
  ),
  postAuthProperty(
    "post-auth, two to four such connections at once: each ends with a reason, no auth data on the record, nothing escapes, logins still work",
    6,
    fc.array(scenario, { minLength: 2, maxLength: 4 }),
  ),
];
