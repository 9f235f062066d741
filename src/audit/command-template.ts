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
  constructor(readonly field: string) {
    super(
      `unknown field {${field}} in the client template (fields: ${TEMPLATE_FIELDS.map((f) => `{${f}}`).join(" ")})`,
    );
    this.name = "TemplateError";
  }
}

const FIELD = /\{([A-Za-z_][\w-]*)\}/g;

declare const checked: unique symbol;
/** A template {@link checkTemplate} accepted: every field it names exists. */
export type CheckedTemplate = string & { readonly [checked]: true };

/**
 * The template, once every field it names is known to exist; throws a {@link TemplateError} for
 * the first that does not. Check once, fill as often as needed.
 */
export function checkTemplate(template: string): CheckedTemplate {
  for (const [, name] of template.matchAll(FIELD)) {
    if (!(TEMPLATE_FIELDS as readonly string[]).includes(name!)) throw new TemplateError(name!);
  }
  return template as CheckedTemplate;
}

/** POSIX single-quoting: safe for any byte string. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The command to run, with every field filled in and quoted. */
export function fillTemplate(template: CheckedTemplate, fields: TemplateFields): string {
  return template.replace(FIELD, (_match, name: keyof TemplateFields) => shellQuote(fields[name]));
}

/**
 * A client's output as a report may show it: every occurrence of the password replaced by `***`.
 * It over-masks on purpose: where the password is also a user name or a word of the output (the
 * default account is root/root), that is masked too, since the password must never show.
 */
export function redactPassword(text: string, password: string): string {
  return password === "" ? text : text.split(password).join("***");
}
