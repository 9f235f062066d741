import { TokenCursor } from "../../src/sql/token-cursor";
import { tokenize } from "../../src/sql/tokenizer";

const cursorOver = (sql: string) => new TokenCursor(tokenize(sql, 50741).tokens);

describe("TokenCursor", () => {
  it("matches keywords case-insensitively and only on bare words", () => {
    const cursor = cursorOver("show `status` Status");
    expect(cursor.acceptKeyword("SHOW")).toBe("SHOW");
    expect(cursor.isKeyword("STATUS")).toBe(false);
    cursor.next();
    expect(cursor.acceptKeyword("VARIABLES", "STATUS")).toBe("STATUS");
    expect(cursor.atEnd()).toBe(true);
  });

  it("answers undefined instead of throwing when reading past either end", () => {
    const cursor = cursorOver("x");
    expect(cursor.peek(-1)).toBeUndefined();
    cursor.next();
    expect(cursor.next()).toBeUndefined();
    expect(cursor.peek(5)).toBeUndefined();
    expect(cursor.acceptPunct(",")).toBe(false);
    expect(cursor.acceptKeyword("X")).toBeUndefined();
  });
});
