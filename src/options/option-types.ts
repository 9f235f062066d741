import { MAX_TIMER_MS } from "../tls/tls-acceptor";
import { z } from "zod";
import { describeKind, describeValue, nearestName } from "./describe-value";

/**
 * The kinds of value options take, as zod schemas whose errors read as the server's option errors
 * always have ("expected an integer from 0 to 65535, got 70000"). `parse-options.ts` names the
 * option in front; the scenario loader keeps the text before ", got" and says what it found.
 */

type RawIssue = z.core.$ZodRawIssue;

/** `message` for any issue of the schema, with the bad value described after "got". */
const saying =
  (message: string, describe: (value: unknown) => string = describeValue) =>
  (issue: RawIssue) =>
    `${message}, got ${describe(issue.input)}`;

/** An integer from `min` to `max`, both included. */
export function integerIn(min: number, max: number) {
  return z
    .number({ error: saying(`expected an integer from ${min} to ${max}`) })
    .int()
    .min(min)
    .max(max);
}

/** Milliseconds above 0 (a timeout), at most what a timer can wait. */
export function timeoutMs() {
  return z
    .number({ error: saying(`expected milliseconds from 1 to ${MAX_TIMER_MS}`) })
    .gt(0)
    .max(MAX_TIMER_MS);
}

/** Milliseconds from 0 (a delay), at most what a timer can wait. */
export function delayMs() {
  return z
    .number({ error: saying(`expected milliseconds from 0 to ${MAX_TIMER_MS}`) })
    .min(0)
    .max(MAX_TIMER_MS);
}

/** `true` or `false`, nothing truthy or falsy. */
export function flag() {
  return z.boolean({ error: saying("expected true or false") });
}

/** One of `values`, compared exactly. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: saying(`expected ${values.map((v) => JSON.stringify(v)).join(", ")}`) });
}

export interface TextRules {
  /** The empty string is refused. */
  nonEmpty?: boolean;
  /** A NUL is refused: the value goes out NUL-terminated (or into a C API) and would be cut there. */
  noNul?: boolean;
  /** Longest value in UTF-8 bytes. */
  maxBytes?: number;
  /** The value is a secret: an error says what kind of value it got, never the value. */
  secret?: boolean;
}

/** A string that keeps `rules`. */
export function text(rules: TextRules = {}) {
  let schema = z.string({ error: saying("expected a string", rules.secret ? describeKind : describeValue) });
  if (rules.nonEmpty) schema = schema.min(1, { error: "must not be empty" });
  if (rules.noNul) {
    schema = schema.refine((value) => !value.includes("\0"), {
      error: (issue) => {
        const value = issue.input as string;
        return `contains a NUL byte (at ${value.indexOf("\0")}), which ends the string on the wire`;
      },
    });
  }
  const { maxBytes } = rules;
  if (maxBytes !== undefined) {
    schema = schema.refine((value) => Buffer.byteLength(value) <= maxBytes, {
      error: (issue) =>
        `is ${Buffer.byteLength(issue.input as string)} bytes long; at most ${maxBytes} are allowed`,
    });
  }
  return schema;
}

/** PEM text, as a string or a Buffer; never quoted back (it may be a private key). */
export function pemText() {
  const typeError = (issue: RawIssue) =>
    issue.input === undefined
      ? "is required"
      : `expected PEM text (a string or a Buffer), got ${describeKind(issue.input)}`;
  return z
    .union([z.string(), z.instanceof(Buffer)], { error: typeError })
    .refine((value) => value.length > 0, { error: "is empty" });
}

/** A function (a callback of the host program); the type says what it is called with. */
export function callback<T extends (...args: never[]) => unknown>() {
  return z.custom<T>((value) => typeof value === "function", { error: saying("expected a function") });
}

/**
 * An object of options: any other key is refused, with the known key it was probably meant to be
 * (`parse-options.ts` writes the object's own path in front of both).
 */
export function optionObject<const Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== "unrecognized_keys") return saying("expected an object")(issue);
      const nearest = nearestName(issue.keys[0]!, known);
      return nearest ? `not an option; did you mean ${nearest}?` : "not an option";
    },
  });
}

/** `false`, or what `schema` takes; anything else is refused with `expected`. */
export function falseOr<T extends z.ZodType>(schema: T, expected: string) {
  return z.union([z.literal(false), schema], { error: saying(expected) });
}

/** The bounds of a number schema as its checks set them, for help texts and flag parsers. */
export interface NumberBounds {
  min: number;
  /** Whether `min` itself is refused (a timeout must be above 0). */
  minExclusive: boolean;
  max: number;
  integer: boolean;
}

/** Reads the bounds `integerIn`, `timeoutMs` and `delayMs` set; missing ones are ±Infinity. */
export function numberBounds(schema: z.ZodNumber): NumberBounds {
  const bounds: NumberBounds = { min: -Infinity, minExclusive: false, max: Infinity, integer: false };
  for (const check of schema.def.checks ?? []) {
    const def = check._zod.def as { check: string; value?: number; inclusive?: boolean; format?: string };
    if (def.check === "greater_than" && def.value !== undefined && def.value >= bounds.min) {
      bounds.min = def.value;
      bounds.minExclusive = def.inclusive === false;
    } else if (def.check === "less_than" && def.value !== undefined) {
      bounds.max = Math.min(bounds.max, def.value);
    } else if (def.check === "number_format" && def.format === "safeint") {
      bounds.integer = true;
    }
  }
  return bounds;
}
