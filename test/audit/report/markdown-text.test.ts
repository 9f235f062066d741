import { codeSpan, fencedBlock, markdownText } from "../../../src/audit/report/markdown-text";

describe("Markdown quoting", () => {
  it("escapes table pipes, tag-like text and emphasis markers, and turns line breaks into <br>", () => {
    expect(markdownText("a | b <i>*c*</i>\nd")).toBe("a \\| b \\<i\\>\\*c\\*\\</i\\><br>d");
  });

  it("leaves underscores inside words and ampersands that start no entity alone", () => {
    expect(markdownText("mysql_native_password & co")).toBe("mysql_native_password & co");
    expect(markdownText("_emph_ &amp;")).toBe("\\_emph\\_ \\&amp;");
  });

  it("can put a space instead of <br> where a line break cannot go", () => {
    expect(markdownText("a\nb", " ")).toBe("a b");
  });

  it("makes code spans one backtick longer than the longest run inside", () => {
    expect(codeSpan("plain")).toBe("`plain`");
    expect(codeSpan("a `b` c")).toBe("``a `b` c``");
    expect(codeSpan("`edge`")).toBe("`` `edge` ``");
  });

  it("makes fences that no line of the content can close", () => {
    expect(fencedBlock("x\n", "text")).toBe("```text\nx\n```");
    expect(fencedBlock("a\n```\nb")).toBe("````\na\n```\nb\n````");
  });
});
