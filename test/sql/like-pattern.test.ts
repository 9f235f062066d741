import { LikePattern, likeMatches } from "../../src/sql/like-pattern";

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

  it("does not pad: a trailing space in the value must be matched", () => {
    expect(likeMatches("a ", "a")).toBe(false);
    expect(likeMatches("a ", "a_")).toBe(true);
  });

  it("uses the ESCAPE character instead of the backslash, and the backslash for an empty ESCAPE", () => {
    expect(likeMatches("a%", "a|%", "|")).toBe(true);
    expect(likeMatches("ab", "a|%", "|")).toBe(false);
    // With another escape character the backslash is an ordinary character.
    expect(likeMatches("a\\b", "a\\_", "|")).toBe(true);
    expect(likeMatches("a|", "a|", "|")).toBe(true);
    // MySQL's Item_func_like falls back to the backslash when ESCAPE '' gives no character.
    expect(likeMatches("a%", "a\\%", "")).toBe(true);
    expect(likeMatches("ab", "a\\%", "")).toBe(false);
  });

  it("keeps % and _ as wildcards even when ESCAPE names them, as my_wildcmp does", () => {
    expect(likeMatches("ab", "a_", "_")).toBe(true);
    expect(likeMatches("abc", "a%", "%")).toBe(true);
  });
});

describe("LikePattern matching cost", () => {
  const NAME = "performance_schema_max_statement_classes";

  it("answers a pattern of a million % like the one-% pattern, in the same number of steps", () => {
    const huge = LikePattern.compile(`${"%".repeat(1_000_000)}classes`);
    const small = LikePattern.compile("%classes");
    expect(huge.trace(NAME)).toEqual(small.trace(NAME));
    expect(huge.trace(NAME).matches).toBe(true);
    expect(huge.trace("version").matches).toBe(false);
    const miss = LikePattern.compile(`${"%".repeat(1_000_000)}x`);
    expect(miss.trace(NAME)).toEqual(LikePattern.compile("%x").trace(NAME));
  });

  it("refuses a value shorter than the characters the pattern requires without a step", () => {
    expect(LikePattern.compile(`${"_%".repeat(100_000)}`).trace(NAME)).toEqual({ matches: false, steps: 0 });
    expect(LikePattern.compile("have_ssl").trace("have_ssl_x")).toEqual({ matches: false, steps: 0 });
  });

  it("takes at most (value + 1) × (pattern + 1) steps, growing with the product, not exponentially", () => {
    // The matcher's worst shape: every % must be retried at every later position of the value.
    const steps = (valueLength: number, stars: number) => {
      const pattern = `${"%a".repeat(stars)}b`;
      const trace = LikePattern.compile(pattern).trace("a".repeat(valueLength));
      expect(trace.matches).toBe(false);
      expect(trace.steps).toBeLessThanOrEqual((valueLength + 1) * (pattern.length + 1));
      return trace.steps;
    };
    const base = steps(400, 20);
    // Doubling either side at most doubles the work (plus the lower-order terms).
    expect(steps(800, 20) / base).toBeLessThan(2.2);
    expect(steps(400, 40) / base).toBeLessThan(2.2);
    expect(steps(800, 40) / base).toBeLessThan(4.4);
  });
});
