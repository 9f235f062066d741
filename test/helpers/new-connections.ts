import type { ConnectionRecord } from "../../src/record/connection-record";
import type { MockServer } from "../../src/mock-server";

/** The connections a server takes from the moment {@link newConnections} was called. */
export interface NewConnections {
  /**
   * Once every connection taken so far has closed: the record of the one connection taken since,
   * failing unless there was exactly one.
   */
  only(): Promise<ConnectionRecord>;
  /** Once every connection taken so far has closed: the records of those taken since, oldest first. */
  all(): Promise<ConnectionRecord[]>;
}

/**
 * Starts counting the connections `server` takes, so a test judges the record its own client made
 * — never the previous test's, when its client made none, nor one of two when it made two.
 * Counts every connection taken (`totalConnections`), whatever the server still keeps.
 */
export function newConnections(server: MockServer): NewConnections {
  const before = server.totalConnections;
  const all = async (): Promise<ConnectionRecord[]> => {
    await server.settled();
    const count = server.totalConnections - before;
    return Promise.all(Array.from({ length: count }, (_, i) => server.waitForConnection(before + i + 1)));
  };
  return {
    all,
    async only() {
      const records = await all();
      if (records.length !== 1) {
        throw new Error(
          `expected exactly one new connection, the server took ${records.length}` +
            (records.length > 0 ? `: ${records.map((r) => `#${r.id} ${r.outcome.kind}`).join(", ")}` : ""),
        );
      }
      return records[0]!;
    },
  };
}
