import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockServer } from "../../src";
import { type CertificateSet, getCertificateSet } from "../../src/certs";
import { loadScenario, ScenarioError } from "../../src/scenarios/load-scenario";
import { scenarioToOptions } from "../../src/scenarios/scenario-options";
import type { Scenario } from "../../src/scenarios/scenario-schema";
import { MAX_TLS_FILE_BYTES } from "../../src/scenarios/tls-files";

/**
 * `server.tls.files: { cert, key, ca }`: a scenario serving your own certificate files, named by
 * paths relative to the scenario file's folder and read once, when the scenario is loaded.
 */

let root: string;
let good: CertificateSet;
let wrongHost: CertificateSet;

beforeAll(async () => {
  good = await getCertificateSet("good");
  wrongHost = await getCertificateSet("wrong-host");
});

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "mysql-tls-mock-tls-files-"));
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Writes `text` at `path` under the test's folder (folders made as needed); returns the full path. */
function write(path: string, text: string | Buffer): string {
  const full = join(root, path);
  mkdirSync(join(full, ".."), { recursive: true });
  writeFileSync(full, text);
  return full;
}

/** The good set's files in `dir`, as `certs write good` names them. */
function writeGoodSet(dir: string): void {
  write(`${dir}/server-cert.pem`, good.server.cert);
  write(`${dir}/server-key.pem`, good.server.key);
  write(`${dir}/ca.pem`, good.ca);
}

function errorOf(load: () => unknown): ScenarioError {
  try {
    load();
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error("loaded without an error");
}

const OWN_FILES =
  "description: own files\nserver:\n  tls:\n    files:\n      cert: certs/server-cert.pem\n" +
  "      key: certs/server-key.pem\n      ca: certs/ca.pem\n";

describe("server.tls.files", () => {
  it("serves the files it names, relative to the scenario file's folder, with ca as the CA clients trust", async () => {
    writeGoodSet("project/certs");
    const file = write("project/own.yaml", OWN_FILES);
    const scenario = loadScenario(file);
    expect(scenario.server?.tls && scenario.server.tls.files).toEqual({
      cert: join(root, "project/certs/server-cert.pem"),
      key: join(root, "project/certs/server-key.pem"),
      ca: join(root, "project/certs/ca.pem"),
    });
    expect(scenarioToOptions(scenario).tls).toMatchObject({
      cert: good.server.cert,
      key: good.server.key,
      ca: good.ca,
    });
    expect(scenario.notes).toEqual([]);
    await using server = await startMockServer({ scenario: file });
    expect(server.ca).toBe(good.ca);
    expect(server.tls?.certificateSet).toBeNull();
    expect(server.tls?.serverCertificate.flaws).toEqual([]);
  });

  it("reads the files once, at load: serving the scenario again reads nothing", () => {
    writeGoodSet("certs");
    const scenario = loadScenario(write("own.yaml", OWN_FILES));
    rmSync(join(root, "certs"), { recursive: true });
    expect(scenarioToOptions(scenario).tls).toMatchObject({ cert: good.server.cert, key: good.server.key });
  });

  it("never prints the key: a loaded scenario as JSON shows the paths only", () => {
    writeGoodSet("certs");
    const scenario = loadScenario(write("own.yaml", OWN_FILES));
    const json = JSON.stringify(scenario);
    expect(json).toContain(join(root, "certs/server-key.pem"));
    expect(json).not.toContain("PRIVATE KEY");
    expect(json).not.toContain("BEGIN CERTIFICATE");
  });

  it("resolves an extended scenario's paths against the folder of the file that wrote them", () => {
    writeGoodSet("base/certs");
    write("base/own.yaml", OWN_FILES);
    const child = write("elsewhere/child.yaml", "extends: ../base/own.yaml\ndescription: child\n");
    const scenario = loadScenario(child);
    expect(scenario.server?.tls && scenario.server.tls.files?.cert).toBe(
      join(root, "base/certs/server-cert.pem"),
    );
    expect(scenarioToOptions(scenario).tls).toMatchObject({ cert: good.server.cert, ca: good.ca });
  });

  it("keeps the parent's expectations when an extending file in another folder names the same files", () => {
    writeGoodSet("base/certs");
    write("base/own.yaml", `${OWN_FILES}expect:\n  VERIFY_IDENTITY: tls\n`);
    const child = write(
      "elsewhere/child.yaml",
      "extends: ../base/own.yaml\ndescription: child\nserver:\n  tls:\n    files:\n" +
        "      cert: ../base/certs/server-cert.pem\n      key: ../base/certs/server-key.pem\n      ca: ../base/certs/ca.pem\n",
    );
    expect(loadScenario(child).expect.VERIFY_IDENTITY?.outcome).toBe("tls");
  });

  it("replaces the parent's files whole: an extending file's files are its own, relative to itself, without the parent's ca", () => {
    writeGoodSet("base/certs");
    write("base/own.yaml", OWN_FILES);
    write("child/mine/cert.pem", wrongHost.server.cert);
    write("child/mine/key.pem", wrongHost.server.key);
    const child = write(
      "child/child.yaml",
      "extends: ../base/own.yaml\ndescription: child\nserver:\n  tls:\n    files:\n      cert: mine/cert.pem\n      key: mine/key.pem\n",
    );
    const scenario = loadScenario(child);
    expect(scenario.server?.tls && scenario.server.tls.files).toEqual({
      cert: join(root, "child/mine/cert.pem"),
      key: join(root, "child/mine/key.pem"),
    });
    const tls = scenarioToOptions(scenario).tls;
    expect(tls).toMatchObject({ cert: wrongHost.server.cert, key: wrongHost.server.key });
    expect(tls && tls.ca).toBeUndefined();
  });

  it("lets an extending file swap a built-in's catalogue set for files, and files for a catalogue set", () => {
    writeGoodSet("certs");
    const own = write(
      "own-expired.yaml",
      "extends: cert-expired\ndescription: mine\nserver:\n  tls:\n    files:\n      cert: certs/server-cert.pem\n      key: certs/server-key.pem\n      ca: certs/ca.pem\n",
    );
    const swapped = loadScenario(own);
    expect(swapped.server?.tls && swapped.server.tls.certificates).toBeUndefined();
    expect(swapped.droppedExpectations?.changedKeys).toEqual(
      expect.arrayContaining(["server.tls.certificates", "server.tls.files"]),
    );
    write("own.yaml", OWN_FILES);
    const back = loadScenario(
      write(
        "back.yaml",
        "extends: ./own.yaml\ndescription: back\nserver:\n  tls:\n    certificates: expired\n",
      ),
    );
    expect(back.server?.tls && back.server.tls.files).toBeUndefined();
    expect(scenarioToOptions(back).tls).toEqual(expect.objectContaining({ certificates: "expired" }));
    expect(scenarioToOptions(back).tls).not.toHaveProperty("cert");
  });

  it("refuses files and a catalogue set in one file, naming both", () => {
    const file = write(
      "both.yaml",
      "description: both\nserver:\n  tls:\n    certificates: good\n    files:\n      cert: a.pem\n      key: b.pem\n",
    );
    expect(errorOf(() => loadScenario(file)).lines).toEqual([
      `${file}:4: server.tls.certificates: not together with server.tls.files: serve a catalogue set or your own certificate files, found "good"`,
    ]);
  });

  it("refuses a missing, non-PEM or mismatched file at load with every problem at once: FILE:LINE: server.tls.files.KEY: the path and why", () => {
    write("certs/ca.pem", good.ca);
    write("certs/not-pem.txt", "hello\n");
    const file = write(
      "bad.yaml",
      "description: bad\nserver:\n  tls:\n    files:\n      cert: cert/server-cert.pem\n      key: certs/ca.pem\n      ca: certs/not-pem.txt\n",
    );
    const error = errorOf(() => loadScenario(file));
    expect(error.lines).toEqual([
      `${file}:5: server.tls.files.cert: cert/server-cert.pem (${join(root, "cert/server-cert.pem")}): cannot read it: no such file or directory (ENOENT)`,
      `${file}:6: server.tls.files.key: certs/ca.pem (${join(root, "certs/ca.pem")}): not a PEM private key (DECODER routines::unsupported)`,
      `${file}:7: server.tls.files.ca: certs/not-pem.txt (${join(root, "certs/not-pem.txt")}): contains no PEM certificate (no -----BEGIN CERTIFICATE----- block)`,
    ]);
  });

  it("refuses a key that is not the certificate's, naming server.tls.files.key", () => {
    // Catalogue sets share their server key (one shipped test key per role and size): another key.
    const otherKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    write("cert.pem", good.server.cert);
    write("key.pem", otherKey.export({ type: "pkcs8", format: "pem" }).toString());
    const file = write(
      "mismatch.yaml",
      "description: x\nserver:\n  tls:\n    files:\n      cert: cert.pem\n      key: key.pem\n",
    );
    const error = errorOf(() => loadScenario(file));
    expect([error.line, error.path]).toEqual([6, "server.tls.files.key"]);
    expect(error.problem).toMatch(/^is not the private key of the certificate in server\.tls\.files\.cert/);
  });

  it("refuses a file over the size cap, and a folder, without reading them", () => {
    write("big.pem", Buffer.alloc(MAX_TLS_FILE_BYTES + 1, "A"));
    mkdirSync(join(root, "a-folder"));
    const file = write(
      "big.yaml",
      "description: x\nserver:\n  tls:\n    files:\n      cert: big.pem\n      key: a-folder\n",
    );
    const error = errorOf(() => loadScenario(file));
    expect(error.problems.map((p) => [p.line, p.path])).toEqual([
      [5, "server.tls.files.cert"],
      [6, "server.tls.files.key"],
    ]);
    expect(error.problems[0]!.problem).toMatch(/is \d+ bytes, more than the 1048576 bytes allowed$/);
    expect(error.problems[1]!.problem).toMatch(/is a directory, not a regular file$/);
  });

  it("names the file that wrote a bad path, not the one extending it", () => {
    const parent = write("base/own.yaml", OWN_FILES);
    const child = write("child.yaml", "extends: base/own.yaml\ndescription: child\n");
    const error = errorOf(() => loadScenario(child));
    expect(error.file).toBe(parent);
    expect(error.problems.map((p) => p.path)).toEqual([
      "server.tls.files.cert",
      "server.tls.files.key",
      "server.tls.files.ca",
    ]);
  });

  it("without ca knows no CA a client should trust: the server has none to hand out, and the scenario carries a warning", async () => {
    write("cert.pem", good.server.cert);
    write("key.pem", good.server.key);
    const file = write(
      "no-ca.yaml",
      "description: x\nserver:\n  tls:\n    files:\n      cert: cert.pem\n      key: key.pem\n",
    );
    const scenario = loadScenario(file);
    expect(scenario.notes).toEqual([
      {
        level: "warning",
        message: expect.stringContaining("server.tls.files (in " + file + ") names no ca, so no CA is known"),
      },
    ]);
    await using server = await startMockServer({ scenario: file });
    expect(server.ca).toBeUndefined();
    expect(server.caFile).toBeUndefined();
  });

  it("resolves a scenario object's paths against the working directory", () => {
    writeGoodSet("certs");
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const scenario = loadScenario({
        description: "object",
        server: { tls: { files: { cert: "certs/server-cert.pem", key: "certs/server-key.pem" } } },
      });
      expect(scenarioToOptions(scenario).tls).toMatchObject({ cert: good.server.cert });
    } finally {
      process.chdir(cwd);
    }
  });

  it("refuses to serve files a scenario was not loaded with", () => {
    const scenario: Scenario = {
      name: "hand-made",
      source: "(object)",
      description: "x",
      server: { tls: { files: { cert: "/nowhere/cert.pem", key: "/nowhere/key.pem" } } },
      expect: {},
      notes: [],
    };
    expect(() => scenarioToOptions(scenario)).toThrow(
      "(object): server.tls.files: the files have not been read: load the scenario with loadScenario, which reads them",
    );
  });
});
