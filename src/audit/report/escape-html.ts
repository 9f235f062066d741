const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Makes any report string safe as HTML text and as a quoted attribute value. Reports carry what a
 * client printed and what a scenario file says, so none of it may become markup. Control
 * characters (a client's colour escapes, a stray NUL), which HTML does not allow, become their
 * Unicode control pictures, so `ESC[31m` shows as `␛[31m` instead of vanishing or breaking the page.
 */
export function escapeHtml(value: string | number): string {
  // eslint-disable-next-line no-control-regex
  return String(value).replace(/[&<>"']|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, (c) => {
    const entity = ENTITIES[c];
    if (entity) return entity;
    const code = c.charCodeAt(0);
    return String.fromCharCode(code === 0x7f ? 0x2421 : 0x2400 + code);
  });
}
