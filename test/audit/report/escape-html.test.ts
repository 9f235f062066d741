import { escapeHtml } from "../../../src/audit/report/escape-html";

describe("escapeHtml", () => {
  it("turns markup into text: a script tag cannot run", () => {
    expect(escapeHtml(`<script>alert("x")</script>`)).toBe(
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;",
    );
  });

  it("escapes both quotes, so a value cannot leave a quoted attribute", () => {
    expect(escapeHtml(`" onmouseover='x'`)).toBe("&quot; onmouseover=&#39;x&#39;");
  });

  it("escapes ampersands, so entity-like text in the data stays literal", () => {
    expect(escapeHtml("&amp; & &lt;")).toBe("&amp;amp; &amp; &amp;lt;");
  });

  it("shows control characters as their control pictures and keeps tabs and line breaks", () => {
    expect(escapeHtml("\u001b[31mred\u0000\t\r\n")).toBe("␛[31mred␀\t\r\n");
  });

  it("accepts numbers", () => {
    expect(escapeHtml(42)).toBe("42");
  });
});
