import { execFileSync } from "node:child_process";
import {
  checkTemplate,
  fillTemplate,
  redactPassword,
  shellQuote,
  TemplateError,
  type TemplateFields,
} from "../../src/audit/command-template";

const FIELDS: TemplateFields = {
  host: "127.0.0.1",
  port: "40123",
  socket: "",
  user: "app",
  password: `it's "quoted" $HOME \`x\``,
  ca: "/tmp/a dir/ca.pem",
  cert: "/tmp/a dir/client-cert.pem",
  key: "/tmp/a dir/client-key.pem",
  mode: "VERIFY_CA",
};

/** What a real shell makes of a command: its arguments, one per line. */
function shellArguments(command: string): string[] {
  return execFileSync("/bin/sh", ["-c", `printf '%s\\n' ${command}`], { encoding: "utf8" })
    .split("\n")
    .slice(0, -1);
}

describe("the client command template", () => {
  it("fills every field so the shell passes each value through as one argument, unexpanded", () => {
    const command = fillTemplate(
      checkTemplate("-h {host} -P {port} -u {user} -p{password} --ssl-ca={ca} --ssl-mode={mode}"),
      FIELDS,
    );
    expect(shellArguments(command)).toEqual([
      "-h",
      "127.0.0.1",
      "-P",
      "40123",
      "-u",
      "app",
      `-p${FIELDS.password}`,
      "--ssl-ca=/tmp/a dir/ca.pem",
      "--ssl-mode=VERIFY_CA",
    ]);
  });

  it("quotes any string for a POSIX shell", () => {
    for (const value of ["", "'", "''", "a b", "$(id)", "\\n", "ü"]) {
      expect(shellArguments(shellQuote(value))).toEqual([value]);
    }
  });

  it("rejects a field it does not know, naming it and the fields there are", () => {
    expect(() => checkTemplate("mysql -h {hostname}")).toThrow(TemplateError);
    expect(() => checkTemplate("mysql -h {hostname}")).toThrow(
      /unknown field \{hostname\}.*\{host\} \{port\}/,
    );
    expect(() => checkTemplate("mysql -h {host} -e '{}'")).not.toThrow();
  });

  it("takes the password out of what a client printed", () => {
    expect(redactPassword("Access denied (password s3cret, s3cret)", "s3cret")).toBe(
      "Access denied (password ***, ***)",
    );
    expect(redactPassword("nothing to hide", "")).toBe("nothing to hide");
  });
});
