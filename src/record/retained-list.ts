/**
 * Makes an array that keeps only its newest `limit` items: a push past the limit drops the oldest
 * and reports how many went. It stays a plain array (JSON, `Array.isArray`, `toEqual` see nothing
 * else), so code that fills a record with `push` — the session, the recorder — bounds what a
 * long-running server keeps without knowing about it. Only `push` is bounded; records are filled
 * with nothing else.
 */
export function retainedList<T>(
  limit: number,
  onDrop: (dropped: number) => void,
  keep?: (item: T) => T,
): T[] {
  const list: T[] = [];
  const push = Array.prototype.push;
  Object.defineProperty(list, "push", {
    // Not enumerable: a copy, a snapshot or JSON of the record shows the items only.
    enumerable: false,
    value(...items: T[]): number {
      // One item per push is how records are filled: no mapped copy of the arguments for it.
      if (items.length === 1) list[list.length] = keep ? keep(items[0]!) : items[0]!;
      else push.apply(list, keep ? items.map(keep) : items);
      const excess = list.length - limit;
      if (excess > 0) {
        // A push past the limit is one over: shift moves V8's array start instead of copying the rest.
        if (excess === 1) list.shift();
        else list.splice(0, excess);
        onDrop(excess);
      }
      return list.length;
    },
  });
  return list;
}
