import { retainedList } from "../../src/record/retained-list";

describe("retainedList", () => {
  it("keeps only the newest items and counts every one it drops", () => {
    let dropped = 0;
    const list = retainedList<number>(3, (n) => (dropped += n));
    for (let i = 1; i <= 5; i++) list.push(i);
    expect(list).toEqual([3, 4, 5]);
    expect(dropped).toBe(2);
    list.push(6, 7, 8, 9);
    expect(list).toEqual([7, 8, 9]);
    expect(dropped).toBe(6);
  });

  it("stays a plain array to JSON, spread and Array.isArray", () => {
    const list = retainedList<string>(2, () => undefined);
    list.push("a", "b", "c");
    expect(Array.isArray(list)).toBe(true);
    expect(JSON.stringify({ list })).toBe('{"list":["b","c"]}');
    expect([...list]).toEqual(["b", "c"]);
    expect(Object.keys(list)).toEqual(["0", "1"]);
  });

  it("stores what keep makes of each item", () => {
    const list = retainedList<string>(
      2,
      () => undefined,
      (s) => s.slice(0, 2),
    );
    list.push("abcdef");
    expect(list).toEqual(["ab"]);
  });
});
