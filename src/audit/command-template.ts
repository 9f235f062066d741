import type { SslMode } from "../scenarios/scenario-schema";

/**
 * The client command template of `audit`: a shell command with `{field}` placeholders, filled in
 * for each run. Values are shell-quoted, so a path with spaces or a password with quotes reaches the
 * client as one argument (`-p{password}` becomes `-p'secret'`, which the shell joins).
 */

/** What one run tells the client command. */
export interface TemplateFields {
  host: string;
  port: string;
  /** The Unix socket the server listens on, or an empty string on TCP. */
  socket: string;
  user: string;
  password: string;
  /** The CA a correctly configured client trusts for the scenario (never a rogue one). */
  ca: string;
  /** A client certificate and its key (mode 0600), issued by the scenario's CA. */
  cert: string;
  key: string;
  mode: SslMode;
}

export const TEMPLATE_FIELDS: readonly (keyof TemplateFields)[] = [
  "host",
  "port",
  "socket",
  "user",
  "password",
  "ca",
  "cert",
  "key",
  "mode",
];

/** A template names a field that does not exist. */
export class TemplateError extends Error {
  constructor(
    readonly template: string,
    readonly field: string,
  ) {
    super(
      `unknown field {${field}} in the client template (fields: ${TEMPLATE_FIELDS.map((f) => `{${f}}`).join(" ")})`,
    );
    this.name = "TemplateError";
  }
}

const FIELD = /\{([A-Za-z_][\w-]*)\}/g;

/** Throws a {@link TemplateError} for the first field the template names that does not exist. */
export function checkTemplate(template: string): void {
  for (const [, name] of template.matchAll(FIELD)) {
    if (!(TEMPLATE_FIELDS as readonly string[]).includes(name!)) throw new TemplateError(template, name!);
  }
}

/** POSIX single-quoting: safe for any byte string. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The command to run, with every field filled in and quoted. */
export function fillTemplate(template: string, fields: TemplateFields): string {
  checkTemplate(template);
  return template.replace(FIELD, (_match, name: keyof TemplateFields) => shellQuote(fields[name]));
}

/** A client's output as a report may show it: every occurrence of the password replaced by `***`. */
export function redactPassword(text: string, password: string): string {
  return password === "" ? text : text.split(password).join("***");
}
