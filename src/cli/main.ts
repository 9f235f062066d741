import { Command, CommanderError } from "commander";
import { auditCommand } from "./audit-command";
import { certsCommand } from "./certs-command";
import { escapeControlCharacters } from "./format-event";
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
    .showHelpAfterError();
  serveCommand(program);
  certsCommand(program);
  scenariosCommand(program);
  auditCommand(program, version);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    // Commander prints and exits on its own parse errors; what arrives here came from an action.
    // One line, no stack trace (a message can quote a file name or a file's contents, hence the
    // escaping); an error that carries an exit status (a CommanderError) sets it.
    process.stderr.write(`mysql-tls-mock: ${escapeControlCharacters((error as Error).message)}\n`);
    // The command is over: nothing it left open (a listener from a start that failed half-way)
    // may keep the process running.
    process.exit(error instanceof CommanderError ? error.exitCode : 1);
  }
}

if (require.main === module) void main(process.argv);
