/**
 * The HTML report's only style sheet, inlined so the page is one file that opens anywhere (a CI
 * artifact, a mail attachment) with nothing fetched. Status colours are paired with a symbol and a
 * word in the markup, so the page also reads in grey scale and to colour-blind readers.
 */
export const HTML_STYLE = `
:root {
  color-scheme: light;
  --text: #202124;
  --muted: #5f6368;
  --line: #dadce0;
  --pass-bg: #e6f4ea;
  --pass-fg: #0d652d;
  --pass-edge: #1e8e3e;
  --deviation-bg: #fce8e6;
  --deviation-fg: #a50e0e;
  --deviation-edge: #d93025;
  --error-bg: #fef7e0;
  --error-fg: #7a4b00;
  --error-edge: #f29900;
  --not-run-bg: #f3e8fd;
  --not-run-fg: #681da8;
  --not-run-edge: #a142f4;
  --missing-bg: #f1f3f4;
  --missing-fg: #5f6368;
  --missing-edge: #bdc1c6;
}
* { box-sizing: border-box; }
body {
  margin: 0;
  padding: 24px 32px 48px;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Roboto, sans-serif;
  color: var(--text);
  background: #fff;
}
h1 { font-size: 24px; margin: 0 0 12px; }
h2 { font-size: 19px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 14px; margin: 16px 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 16px; font-size: 14px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.counts { display: flex; flex-wrap: wrap; gap: 10px; list-style: none; padding: 0; margin: 0 0 20px; }
.count { padding: 6px 14px; border-radius: 8px; border-left-width: 6px; border-left-style: solid; font-size: 15px; }
.count b { font-size: 22px; margin-right: 2px; }
.status-pass { background: var(--pass-bg); color: var(--pass-fg); border-color: var(--pass-edge); }
.status-deviation { background: var(--deviation-bg); color: var(--deviation-fg); border-color: var(--deviation-edge); }
.status-error { background: var(--error-bg); color: var(--error-fg); border-color: var(--error-edge); }
.status-not-run { background: var(--not-run-bg); color: var(--not-run-fg); border-color: var(--not-run-edge); }
.status-missing { background: var(--missing-bg); color: var(--missing-fg); border-color: var(--missing-edge); }
.severity { display: inline-block; margin-left: 6px; padding: 0 5px; border-radius: 3px; border: 1px solid; font-size: 11.5px; line-height: 1.5; font-weight: 600; letter-spacing: 0.03em; vertical-align: 1px; white-space: nowrap; }
.severity-critical { background: #a50e0e; color: #fff; border-color: #a50e0e; font-weight: 800; box-shadow: 0 0 0 2px #f6aea9; }
.severity-high { background: #fff; color: #c5221f; border-color: #c5221f; }
.severity-medium { background: #fff; color: #8a4a00; border-color: #e37400; }
.severity-info { background: transparent; color: var(--muted); border-color: var(--line); font-weight: 400; }
.legend .severity { margin: 0 6px 0 0; }
.severity-legend { margin-top: 6px; }
.failing { margin: -8px 0 18px; font-size: 15px; font-weight: 600; color: var(--pass-fg); }
.failing.failing-some { color: var(--deviation-fg); }
.findings { margin: 0; padding: 0; list-style: none; }
.inferred { font-style: italic; color: var(--muted); border-bottom: 1px dotted var(--muted); }
.sym { display: inline-block; width: 1.1em; text-align: center; font-weight: 700; }
#audit-grid { border-collapse: separate; border-spacing: 4px; margin: 0 -4px; width: 100%; table-layout: fixed; }
#audit-grid col.scenario-column { width: 260px; }
#audit-grid caption { text-align: left; padding: 0 4px 6px; color: var(--muted); font-size: 14px; }
#audit-grid thead th { text-align: left; padding: 4px 10px; font-size: 13px; letter-spacing: 0.04em; color: var(--muted); }
#audit-grid tbody th { text-align: left; vertical-align: top; padding: 8px 10px 8px 4px; font-weight: normal; overflow-wrap: anywhere; }
.scenario-name { display: block; font-weight: 700; }
.scenario-description { display: block; color: var(--muted); font-size: 12.5px; overflow-wrap: anywhere; white-space: pre-line; }
#audit-grid td { vertical-align: top; padding: 0; border-left-width: 6px; border-left-style: solid; border-radius: 6px; }
#audit-grid td > a { display: block; padding: 7px 10px 8px; color: inherit; text-decoration: none; }
#audit-grid td > a:hover .badge, #audit-grid td > a:focus .badge { text-decoration: underline; }
#audit-grid td.status-missing {
  background: repeating-linear-gradient(135deg, #f8f9fa 0 6px, #eceff1 6px 12px);
  text-align: center;
  vertical-align: middle;
  padding: 8px 10px;
}
.badge { font-weight: 700; white-space: nowrap; }
.observed, .verdict { display: block; font-size: 13px; color: var(--text); overflow-wrap: anywhere; }
.verdict { color: var(--muted); }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 10px 0 0; padding: 0; list-style: none; font-size: 13px; color: var(--muted); }
.legend .key { display: inline-block; padding: 0 6px; border-left-width: 4px; border-left-style: solid; border-radius: 3px; font-weight: 700; margin-right: 4px; }
details.cell-detail { margin: 10px 0; border: 1px solid var(--line); border-left-width: 6px; border-radius: 6px; background: #fff; color: var(--text); }
details.cell-detail.status-pass { border-left-color: var(--pass-edge); }
details.cell-detail.status-deviation { border-left-color: var(--deviation-edge); }
details.cell-detail.status-error { border-left-color: var(--error-edge); }
details.cell-detail.status-not-run { border-left-color: var(--not-run-edge); }
details.cell-detail:target { outline: 3px solid #1a73e8; outline-offset: 2px; }
details.cell-detail > summary { padding: 8px 12px; cursor: pointer; color: var(--text); }
details.cell-detail > summary .badge { margin-right: 6px; }
details.cell-detail.status-pass > summary .badge { color: var(--pass-fg); }
details.cell-detail.status-deviation > summary .badge { color: var(--deviation-fg); }
details.cell-detail.status-error > summary .badge { color: var(--error-fg); }
details.cell-detail.status-not-run > summary .badge { color: var(--not-run-fg); }
details.cell-detail > summary .severity { margin: 0 8px 0 0; }
.detail-body { padding: 0 14px 12px; }
.detail-body .facts { margin: 4px 0 8px; }
.detail-body .facts dd { white-space: pre-line; }
.connections { border-collapse: collapse; font-size: 13px; width: 100%; }
.connections th, .connections td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
.connections th { background: #f8f9fa; font-weight: 600; }
.connections td { overflow-wrap: break-word; }
.connections-scroll { overflow-x: auto; }
.connections .findings li + li { margin-top: 2px; }
.exposed { color: var(--deviation-fg); font-weight: 700; }
pre { margin: 0; padding: 8px 10px; background: #f8f9fa; border: 1px solid var(--line); border-radius: 4px; white-space: pre-wrap; overflow-wrap: anywhere; }
.none { color: var(--muted); font-style: italic; margin: 0; }
.to-grid { font-size: 13px; margin-left: 8px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
`;
