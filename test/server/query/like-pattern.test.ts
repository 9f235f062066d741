import { likeMatches } from "../../../src/server/query/like-pattern";

describe("likeMatches", () => {
  it("matches % as any run of characters, including none", () => {
    expect(likeMatches("Ssl_cipher_list", "Ssl_%")).toBe(true);
    expect(likeMatches("have_ssl", "%ssl%")).toBe(true);
    expect(likeMatches("ssl", "%ssl%")).toBe(true);
    expect(likeMatches("version", "%ssl%")).toBe(false);
  });

  it("matches _ as exactly one character", () => {
    expect(likeMatches("have_ssl", "have_ss_")).toBe(true);
    expect(likeMatches("have_ssl", "have_s_")).toBe(false);
  });

  it("compares case-insensitively, as MySQL's default collation does", () => {
    expect(likeMatches("Ssl_cipher", "ssl_CIPHER")).toBe(true);
  });

  it("treats a backslash-escaped % or _ literally", () => {
    expect(likeMatches("have_ssl", String.raw`have\_ssl`)).toBe(true);
    expect(likeMatches("haveXssl", String.raw`have\_ssl`)).toBe(false);
    expect(likeMatches("100%", String.raw`100\%`)).toBe(true);
    expect(likeMatches("1000", String.raw`100\%`)).toBe(false);
  });

  it("lets a trailing backslash match itself", () => {
    expect(likeMatches("a\\", "a\\")).toBe(true);
  });

  it("handles the empty pattern and the empty value", () => {
    expect(likeMatches("", "")).toBe(true);
    expect(likeMatches("", "%")).toBe(true);
    expect(likeMatches("x", "")).toBe(false);
    expect(likeMatches("", "_")).toBe(false);
  });

  it("backtracks over several % and still finishes on a pattern that defeats naive regexes", () => {
    expect(likeMatches("abcabcabd", "%abc%abd")).toBe(true);
    // Exponential backtracking would blow the test timeout here; the matcher is O(value × pattern).
    expect(likeMatches("a".repeat(5000), `${"%a".repeat(200)}b`)).toBe(false);
  });
});
