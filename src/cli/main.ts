import { Command, CommanderError } from "commander";
import { auditCommand } from "./audit-command";
import { certsCommand } from "./certs-command";
import { ScenarioError } from "../scenarios/load-scenario";
import { escapeControlCharacters } from "./format-event";
import { proxyCommand } from "./proxy-command";
import { scenariosCommand } from "./scenarios-command";
import { serveCommand } from "./serve-command";
import { packageVersion } from "./version";

/** Entry point of the `mysql-tls-mock` command. */
export async function main(argv: string[]): Promise<void> {
  const version = packageVersion();
  const program = new Command()
    .name("mysql-tls-mock")
    .description("A fake MySQL server for testing how MySQL clients behave around TLS")
    .version(version)
    .showSuggestionAfterError()
    // Each command's options belong to it: `scenarios show X --json` is show's --json, not the
    // list's (without this commander hands a subcommand's flags to its parent first).
    .enablePositionalOptions();
  serveCommand(program);
  proxyCommand(program);
  certsCommand(program);
  scenariosCommand(program);
  auditCommand(program, version);
  pointAtHelp(program);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    // Commander prints and exits on its own parse errors; what arrives here came from an action.
    // One line, no stack trace (a message can quote a file name or a file's contents, hence the
    // escaping); an error that carries an exit status (a CommanderError) sets it.
    // A scenario file's problems come all at once, a line each, each line escaped on its own.
    const lines = error instanceof ScenarioError ? error.lines : [(error as Error).message];
    for (const line of lines) process.stderr.write(`mysql-tls-mock: ${escapeControlCharacters(line)}\n`);
    // The command is over: nothing it left open (a listener from a start that failed half-way)
    // may keep the process running.
    process.exit(error instanceof CommanderError ? error.exitCode : 1);
  }
}

if (require.main === module) void main(process.argv);

/** `(see mysql-tls-mock serve --help)`: where a usage error's command documents itself. */
function helpPointer(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return `(see ${names.join(" ")} --help)`;
}

/**
 * A usage error prints one line and where the help is, not the whole help: pages of options
 * scroll the one line that matters off the screen. Each command points at its own help.
 */
function pointAtHelp(command: Command): void {
  command.showHelpAfterError(helpPointer(command));
  for (const sub of command.commands) pointAtHelp(sub);
}
