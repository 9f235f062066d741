import type { ConnectionRecord } from "./connection-record";
import { retainedList } from "./retained-list";

/** A recorded query longer than this is kept cut to it (the `command` event carries it whole). */
export const RECORDED_QUERY_CHARS = 1024;

/** How much of its trail one record keeps (`keepPackets`, `keepCommands`). */
export interface RecordRetention {
  keepPackets: number;
  keepCommands: number;
}

/**
 * Bounds what `record` keeps however long its connection lives: the newest `keepPackets` packets
 * and `keepCommands` commands, the dropped ones counted on the record, and each recorded query cut
 * to {@link RECORDED_QUERY_CHARS}. Called once, before anything is recorded.
 */
export function boundRecord(record: ConnectionRecord, retention: RecordRetention): void {
  record.packetsDropped = 0;
  record.packets = retainedList(retention.keepPackets, (n) => {
    record.packetsDropped! += n;
  });
  record.commandsDropped = 0;
  record.commands = retainedList(
    retention.keepCommands,
    (n) => {
      record.commandsDropped! += n;
    },
    (entry) =>
      entry.query !== undefined && entry.query.length > RECORDED_QUERY_CHARS
        ? { ...entry, query: entry.query.slice(0, RECORDED_QUERY_CHARS), queryLength: entry.query.length }
        : entry,
  );
}
