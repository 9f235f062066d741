import { runProcess } from "./processes";

describe("runProcess", () => {
  it("reports a program that exits without reading its input by its exit status, not a broken pipe", async () => {
    // Far more than a pipe holds: the write is still under way when the program has gone.
    const input = "x".repeat(8 * 1024 * 1024);
    await expect(runProcess("sh", ["-c", "exit 3"], { input })).resolves.toMatchObject({
      code: 3,
      signal: null,
      timedOut: false,
    });
  });

  it("hands a program its input and returns what it wrote", async () => {
    await expect(runProcess("cat", [], { input: "to and fro" })).resolves.toMatchObject({
      code: 0,
      stdout: "to and fro",
    });
  });
});
