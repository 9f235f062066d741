import { LRUCache } from "lru-cache";
import { CapabilityFlags, Command, commandName, ErrorCode, ServerStatus } from "../protocol/constants";
import { decodeComInitDb, decodeCommand, decodeComQuery } from "../protocol/packets/command";
import { encodeEof } from "../protocol/packets/eof-packet";
import { encodeErr } from "../protocol/packets/err-packet";
import { encodeOk } from "../protocol/packets/ok-packet";
import { encodeTextResultset } from "../protocol/packets/text-resultset";
import type { PayloadDisclosure } from "../record/connection-recorder";
import type { ResolvedOptions } from "./options";
import { answerQuery, MAX_PARSED_QUERY_LENGTH, type QueryAnswer, type QueryContext } from "../sql";
import { answerSessionQuery, UserVariables } from "../sql/replica-queries";
import { ReplicaSession, type ReplicaAnswer } from "./replica-commands";
import { columnDefinition, textValue } from "./resultset-columns";

/** What the session sends back for one command. */
export interface CommandReply {
  commandName: string;
  query?: string;
  /** Set when the command changed the default database. */
  database?: string;
  packets: Array<{ payload: Buffer; type: string }>;
  /** COM_QUIT: no reply, close. */
  close: boolean;
  /** Set when the session ends after the reply, for this reason (a replica's COM_BINLOG_DUMP). */
  end?: string;
  /** How much of the client's packet the record may show (default: by phase). */
  disclosure?: PayloadDisclosure;
}

/**
 * What the record may show of a command packet: COM_REGISTER_SLAVE carries the replica's
 * `report_password`, so it is withheld like every other packet that may carry a secret.
 */
export function commandDisclosure(commandByte: number | undefined): PayloadDisclosure {
  return commandByte === Command.COM_REGISTER_SLAVE ? "withheld" : "by-phase";
}

/**
 * Statements only {@link answerSessionQuery} answers mention a user or system variable or the
 * clock; the rest skip its second tokenization.
 */
const SESSION_QUERY_HINT = /@|unix_timestamp/i;

const STATUS = ServerStatus.SERVER_STATUS_AUTOCOMMIT;

/** How much of the query an error about it quotes. */
const QUOTED_QUERY_CHARS = 200;

const ANSWER_KINDS: ReadonlySet<string> = new Set(["resultset", "ok", "error", "unhandled"]);

/**
 * The host program's `unknownQuery` callback threw, or returned something that is not an answer
 * (nothing, a Promise, an object of no known kind), or an answer that cannot be sent. The session
 * ends that connection only, with this on its record.
 */
export class UnknownQueryCallbackError extends Error {
  constructor(
    /** The query the callback was asked about (at most 200 characters of it). */
    readonly query: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`the unknownQuery callback ${detail} (query: ${JSON.stringify(query)})`, options);
    this.name = "UnknownQueryCallbackError";
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

function describeReturned(value: unknown): string {
  if (value === undefined) return "returned nothing";
  if (value === null) return "returned null";
  if (typeof (value as { then?: unknown }).then === "function")
    return "returned a Promise (it must answer synchronously)";
  if (typeof value !== "object") return `returned a ${typeof value}, not an answer`;
  return `returned an answer of unknown kind ${JSON.stringify((value as { kind?: unknown }).kind)}`;
}

/**
 * What a query's answer may depend on besides its text and the server's options: a query that
 * reads one of these from its context is answered afresh every time.
 */
const SESSION_CONTEXT_FIELDS: ReadonlySet<PropertyKey> = new Set<keyof QueryContext>([
  "connectionId",
  "user",
  "clientHost",
  "accountHost",
  "database",
  "tls",
]);

/** Longest query text whose reply is kept for the next session that sends it. */
const CACHED_QUERY_CHARS = 256;
/** Replies kept per server configuration: clients send the same few queries after every login. */
const CACHED_REPLIES = 64;

type ReplyCache = LRUCache<string, readonly ReplyPacket[]>;

/**
 * Replies to queries whose answer depended on nothing of the session (`SELECT 1`, `SET NAMES …`,
 * `SELECT @@version_comment`), by server configuration and then by capabilities and text. A server
 * that is reconfigured gets new options, and so starts afresh. Answering such a query again would
 * only produce the same bytes, at the cost of tokenizing, evaluating and encoding it per login.
 */
const repliesByOptions = new WeakMap<ResolvedOptions, ReplyCache>();

type ReplyPacket = Readonly<{ payload: Buffer; type: string }>;

/**
 * `context` as a query sees it, and whether the query read anything of the session from it (then
 * its answer holds for this session only).
 */
function watchedContext(context: QueryContext): { context: QueryContext; readSession: () => boolean } {
  let read = false;
  const watched = new Proxy(context, {
    get(target, property, receiver) {
      if (SESSION_CONTEXT_FIELDS.has(property)) read = true;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  return { context: watched, readSession: () => read };
}

/** Names of a text resultset's packets in order, for the record. */
function resultsetPacketTypes(columnCount: number, rowCount: number, caps: number): string[] {
  const deprecateEof = (caps & CapabilityFlags.CLIENT_DEPRECATE_EOF) !== 0;
  return [
    "ColumnCount",
    ...Array<string>(columnCount).fill("ColumnDefinition41"),
    ...(deprecateEof ? [] : ["EOF"]),
    ...Array<string>(rowCount).fill("TextRow"),
    deprecateEof ? "OK" : "EOF",
  ];
}

/** Answers the command phase: the few commands and queries clients send right after login. */
export class CommandResponder {
  /** The session's user variables: a replica sets some and reads one back. */
  private readonly variables = new UserVariables();
  private readonly replica = new ReplicaSession(this.variables);

  constructor(
    private readonly options: ResolvedOptions,
    private readonly context: () => QueryContext,
    /** The server's clock for `UNIX_TIMESTAMP()`, in ms since the epoch. */
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The reply to one command. `extendedCapabilities` are the MariaDB extended capabilities both
   * sides set, which change how a resultset is laid out.
   */
  respond(payload: Buffer, clientCapabilities: number, extendedCapabilities = 0): CommandReply {
    if (payload.length === 0) {
      return this.reply("COM_EMPTY", [
        this.err(clientCapabilities, ErrorCode.ER_UNKNOWN_COM_ERROR, "08S01", "Unknown command"),
      ]);
    }
    const command = decodeCommand(payload);
    const name = commandName(command.command);
    const ok = () => ({
      payload: encodeOk(
        { affectedRows: 0, lastInsertId: 0, statusFlags: STATUS, warnings: 0 },
        clientCapabilities,
      ),
      type: "OK",
    });
    switch (command.command) {
      case Command.COM_QUIT:
        return { commandName: name, packets: [], close: true };
      case Command.COM_PING:
      case Command.COM_RESET_CONNECTION:
        return this.reply(name, [ok()]);
      case Command.COM_INIT_DB:
        return { ...this.reply(name, [ok()]), database: decodeComInitDb(command.body) };
      case Command.COM_SET_OPTION:
        // MySQL answers COM_SET_OPTION with an EOF packet, not an OK.
        return this.reply(name, [
          { payload: encodeEof({ warnings: 0, statusFlags: STATUS }, clientCapabilities), type: "EOF" },
        ]);
      case Command.COM_FIELD_LIST:
        return this.reply(name, [
          { payload: encodeEof({ warnings: 0, statusFlags: STATUS }, clientCapabilities), type: "EOF" },
        ]);
      case Command.COM_STATISTICS:
        return this.reply(name, [
          {
            payload: Buffer.from(
              "Uptime: 1  Threads: 1  Questions: 1  Slow queries: 0  Opens: 0  Flush tables: 1  Open tables: 0  Queries per second avg: 1.000",
            ),
            type: "Statistics",
          },
        ]);
      case Command.COM_REGISTER_SLAVE:
        return {
          ...this.replicaReply(name, this.replica.registerSlave(payload), clientCapabilities),
          disclosure: commandDisclosure(command.command),
        };
      case Command.COM_BINLOG_DUMP:
        return this.replicaReply(name, this.replica.binlogDump(payload), clientCapabilities);
      case Command.COM_QUERY: {
        const sql = decodeComQuery(command.body, {
          queryAttributes: (clientCapabilities & CapabilityFlags.CLIENT_QUERY_ATTRIBUTES) !== 0,
        });
        const cacheKey = this.cacheKeyOf(sql, clientCapabilities, extendedCapabilities);
        const cached = cacheKey === null ? undefined : this.cachedReplies.get(cacheKey);
        if (cached) return { ...this.reply(name, [...cached]), query: sql };
        const { answer, fromCallback, readSession } = this.answer(sql);
        let packets: CommandReply["packets"];
        try {
          packets = this.answerPackets(answer, sql, clientCapabilities, extendedCapabilities);
        } catch (error) {
          if (!fromCallback) throw error;
          const detail = `returned an answer that cannot be sent: ${(error as Error).message}`;
          throw new UnknownQueryCallbackError(sql.slice(0, QUOTED_QUERY_CHARS), detail, { cause: error });
        }
        const database = answer.kind === "ok" ? answer.database : undefined;
        // A USE changes the session's database as well: its reply alone is not the whole answer.
        if (cacheKey !== null && !fromCallback && !readSession && database === undefined) {
          this.keepReply(cacheKey, packets);
        }
        return {
          ...this.reply(name, packets),
          query: sql,
          ...(database !== undefined ? { database } : {}),
        };
      }
      default:
        if (name.startsWith("COM_UNKNOWN")) {
          return this.reply(name, [
            this.err(clientCapabilities, ErrorCode.ER_UNKNOWN_COM_ERROR, "08S01", "Unknown command"),
          ]);
        }
        return this.reply(name, [
          this.err(
            clientCapabilities,
            ErrorCode.ER_NOT_SUPPORTED_YET,
            "42000",
            `This version of MySQL doesn't yet support '${name}'`,
          ),
        ]);
    }
  }

  private replicaReply(name: string, answer: ReplicaAnswer, caps: number): CommandReply {
    if (answer.kind === "ok") {
      return this.reply(name, [
        {
          payload: encodeOk({ affectedRows: 0, lastInsertId: 0, statusFlags: STATUS, warnings: 0 }, caps),
          type: "OK",
        },
      ]);
    }
    const err = this.err(caps, answer.err.code, answer.err.sqlState, answer.err.message);
    return answer.kind === "end"
      ? { ...this.reply(name, [err]), end: answer.reason }
      : this.reply(name, [err]);
  }

  /** The replies this server configuration keeps (see {@link repliesByOptions}). */
  private get cachedReplies(): ReplyCache {
    let replies = repliesByOptions.get(this.options);
    if (!replies) {
      replies = new LRUCache({ max: CACHED_REPLIES });
      repliesByOptions.set(this.options, replies);
    }
    return replies;
  }

  /**
   * Where a query's reply would be kept, or null for one never kept: a long one, or one the
   * session's own variables or clock may answer.
   */
  private cacheKeyOf(sql: string, capabilities: number, extendedCapabilities: number): string | null {
    if (sql.length > CACHED_QUERY_CHARS || SESSION_QUERY_HINT.test(sql)) return null;
    return `${capabilities >>> 0}:${extendedCapabilities >>> 0}:${sql}`;
  }

  private keepReply(key: string, packets: CommandReply["packets"]): void {
    this.cachedReplies.set(key, Object.freeze(packets.map((packet) => Object.freeze({ ...packet }))));
  }

  /**
   * The answer to a query, whether the host program's callback gave it, and whether it depends on
   * this session: it read something of the session (see {@link SESSION_CONTEXT_FIELDS}), or the
   * host program's callback was asked.
   */
  private answer(sql: string): { answer: QueryAnswer; fromCallback: boolean; readSession: boolean } {
    const watched = watchedContext(this.context());
    const context = watched.context;
    const session =
      sql.length <= MAX_PARSED_QUERY_LENGTH && SESSION_QUERY_HINT.test(sql)
        ? answerSessionQuery(sql, context, { variables: this.variables, now: this.now })
        : undefined;
    if (session) return { answer: session, fromCallback: false, readSession: true };
    const answer = answerQuery(sql, context);
    if (answer.kind !== "unhandled")
      return { answer, fromCallback: false, readSession: watched.readSession() };
    const fallback = this.options.unknownQuery;
    // The host program's callback is asked every time (it may count, or answer differently later):
    // whatever follows its answer is never kept.
    let asked = false;
    if (typeof fallback === "function") {
      asked = true;
      const given = this.askCallback(fallback, sql, context);
      // A callback that does not know either leaves the query to the default answer.
      if (given.kind !== "unhandled") return { answer: given, fromCallback: true, readSession: true };
    } else if (fallback === "ok") {
      return { answer: { kind: "ok" }, fromCallback: false, readSession: watched.readSession() };
    }
    return {
      answer: {
        kind: "error",
        code: ErrorCode.ER_NOT_SUPPORTED_YET,
        sqlState: "42000",
        message: `This version of MySQL doesn't yet support 'mysql-tls-mock has no answer for: ${sql.slice(0, QUOTED_QUERY_CHARS)}'`,
      },
      fromCallback: false,
      readSession: asked || watched.readSession(),
    };
  }

  private askCallback(
    callback: (sql: string, context: QueryContext) => QueryAnswer,
    sql: string,
    context: QueryContext,
  ): QueryAnswer {
    const quoted = sql.slice(0, QUOTED_QUERY_CHARS);
    let given: unknown;
    try {
      given = callback(sql, context);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new UnknownQueryCallbackError(quoted, `threw: ${detail}`, { cause: error });
    }
    const kind = (given as { kind?: unknown } | null | undefined)?.kind;
    if (typeof given !== "object" || given === null || typeof kind !== "string" || !ANSWER_KINDS.has(kind)) {
      throw new UnknownQueryCallbackError(quoted, describeReturned(given));
    }
    return given as QueryAnswer;
  }

  private answerPackets(
    answer: QueryAnswer,
    sql: string,
    caps: number,
    extendedCapabilities: number,
  ): Array<{ payload: Buffer; type: string }> {
    switch (answer.kind) {
      case "ok":
        return [
          {
            payload: encodeOk(
              {
                affectedRows: answer.affectedRows ?? 0,
                lastInsertId: 0,
                statusFlags: STATUS,
                warnings: 0,
                ...(answer.info ? { info: answer.info } : {}),
              },
              caps,
            ),
            type: "OK",
          },
        ];
      case "error":
        return [this.err(caps, answer.code, answer.sqlState, answer.message)];
      case "resultset": {
        const columns = answer.columns.map((column, i) =>
          columnDefinition(
            column,
            answer.rows.map((row) => row[i] ?? null),
          ),
        );
        const rows = answer.rows.map((row) => row.map(textValue));
        const types = resultsetPacketTypes(columns.length, rows.length, caps);
        return encodeTextResultset({ columns, rows }, caps, STATUS, extendedCapabilities).map(
          (payload, i) => ({
            payload,
            type: types[i]!,
          }),
        );
      }
      default:
        return [
          this.err(
            caps,
            ErrorCode.ER_NOT_SUPPORTED_YET,
            "42000",
            `No answer for ${sql.slice(0, QUOTED_QUERY_CHARS)}`,
          ),
        ];
    }
  }

  private err(caps: number, code: number, sqlState: string, message: string) {
    return { payload: encodeErr({ code, sqlState, message }, caps), type: "ERR" };
  }

  private reply(commandName: string, packets: CommandReply["packets"]): CommandReply {
    return { commandName, packets, close: false };
  }
}
