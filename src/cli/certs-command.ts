import { type Command, InvalidArgumentError } from "commander";
import pc from "picocolors";
import {
  type CertificateSetName,
  getCertificateSet,
  listCertificateSets,
  writeCertificateSet,
} from "../certs";
import { nearestName } from "../options/describe-value";
import { DEFAULT_SERVER_VERSION } from "../server/options";
import { escapeControlCharacters } from "./format-event";
import { optionFlag } from "./option-flags";
import { terminalWidth, twoColumns } from "./terminal-width";

/** Commander argument parser: a catalogue name, or an error listing the valid ones. */
export function certificateSetName(value: string): CertificateSetName {
  const names = listCertificateSets().map((s) => s.name as string);
  if (!names.includes(value)) {
    const nearest = nearestName(value, names);
    throw new InvalidArgumentError(
      `unknown certificate set ${value}${nearest ? `; did you mean ${nearest}?` : ""} (known: ${names.join(", ")})`,
    );
  }
  return value as CertificateSetName;
}

/** Adds `certs list` and `certs write`: the certificate catalogue, for real clients and servers. */
export function certsCommand(program: Command): void {
  const certs = program
    .command("certs")
    .description("list or write the certificate sets the server can serve");

  certs
    .command("list")
    .description("list the certificate sets, one line each")
    .option("--json", "print a JSON array instead: name, description")
    .action((flags: { json?: boolean }) => {
      const sets = listCertificateSets();
      if (flags.json) {
        // Documented in the README: fields are added to, never renamed.
        process.stdout.write(`${JSON.stringify(sets, null, 2)}\n`);
        return;
      }
      const rows = sets.map((set) => [set.name, set.description] as const);
      process.stdout.write(twoColumns(rows, terminalWidth(), pc.bold));
    });

  certs
    .command("write")
    .description("write a set's PEM files under MySQL's file names (keys mode 0600)")
    .argument("<name>", "certificate set name (see certs list)", certificateSetName)
    .requiredOption(
      "-o, --out <dir>",
      "directory to write into (created if missing); symbolic links there are refused, and a failed write leaves it as it was",
    )
    .option(
      "--server-version <version>",
      "version in the MySQL_Server_<version>_Auto_Generated CNs",
      DEFAULT_SERVER_VERSION,
    )
    // The set's keys are the package's public test keys unless asked otherwise: files handed to a
    // real server should have keys of their own.
    .addOption(optionFlag("freshKeys"))
    .action(
      async (
        name: CertificateSetName,
        flags: { out: string; serverVersion: string; freshKeys?: boolean },
      ) => {
        // certificateSetName has already turned an unknown name away.
        const set = await getCertificateSet(name, {
          serverVersion: flags.serverVersion,
          freshKeys: flags.freshKeys === true,
        });
        const paths = await writeCertificateSet(set, flags.out);
        process.stdout.write(`${set.name}: ${set.description}\n`);
        // The path is the user's own text; escaped all the same, as everything this tool prints.
        for (const path of paths) process.stdout.write(`  ${escapeControlCharacters(path)}\n`);
      },
    );
}
