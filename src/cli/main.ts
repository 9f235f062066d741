import { Command, InvalidArgumentError } from "commander";
import { auditCommand } from "./audit-command";
import { certsCommand } from "./certs-command";
import { scenariosCommand } from "./scenarios-command";
import { serveCommand } from "./serve-command";
import { packageVersion } from "./version";

/** Entry point of the `mysql-tls-mock` command. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name("mysql-tls-mock")
    .description("A fake MySQL server for testing how MySQL clients behave around TLS")
    .version(packageVersion())
    .showHelpAfterError();
  serveCommand(program);
  certsCommand(program);
  scenariosCommand(program);
  auditCommand(program, packageVersion());
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw error;
    process.stderr.write(`mysql-tls-mock: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) void main(process.argv);
