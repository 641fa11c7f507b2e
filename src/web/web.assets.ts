/**
 * The web app's stylesheet, served from memory (one small file; no build step, no second
 * server). Sized for a 360-px phone first; a wider screen only gets more room.
 */
export const STYLESHEET = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --accent: #0a58ca;
  --bad: #b42318; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #f6f8fa; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 8px; top: 8px; background: #fff; padding: 8px; z-index: 1; }
.bar { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; padding: 8px 16px;
  background: #fff; border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; color: var(--ink); text-decoration: none; margin-right: auto; }
.who { color: var(--muted); }
main { max-width: 960px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.5rem; margin: 8px 0 16px; }
.stack { display: grid; gap: 8px; max-width: 360px; }
label { font-weight: 600; }
input { font: inherit; padding: 10px; border: 1px solid var(--muted); border-radius: 6px; }
button { font: inherit; padding: 10px 16px; border: 0; border-radius: 6px; background: var(--accent);
  color: #fff; cursor: pointer; min-height: 44px; }
.sign-out button { background: transparent; color: var(--accent); padding: 4px 8px; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.problem { color: var(--bad); font-weight: 600; }
.notice { color: #1a7f37; font-weight: 600; }
.overdue { color: var(--bad); font-weight: 600; }
.action { display: inline-block; padding: 10px 16px; border-radius: 6px; background: var(--accent);
  color: #fff; text-decoration: none; min-height: 44px; }
nav a { margin-right: 12px; }
a { color: var(--accent); }
h2 { font-size: 1.15rem; margin: 24px 0 8px; }
select, textarea { font: inherit; padding: 10px; border: 1px solid var(--muted); border-radius: 6px;
  background: #fff; max-width: 100%; }
.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 16px; }
.check { font-weight: 400; display: flex; gap: 6px; align-items: center; min-height: 44px; }
.cards { list-style: none; padding: 0; margin: 0; display: grid; gap: 8px; }
.cards li { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px; }
.cards a { display: block; overflow-wrap: anywhere; }
.meta { display: flex; flex-wrap: wrap; gap: 4px 12px; color: var(--muted); margin-top: 4px; }
.status { font-weight: 600; color: var(--ink); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.timeline { padding-left: 20px; }
.timeline li { margin-bottom: 8px; overflow-wrap: anywhere; }
.timeline time { display: block; color: var(--muted); font-size: 0.9rem; }
.hint { color: var(--muted); font-size: 0.9rem; flex-basis: 100%; }
#q { flex: 1 1 220px; }
.board { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px;
  align-items: start; }
.column { background: #eef1f4; border: 2px solid transparent; border-radius: 8px; padding: 8px; }
.column h2 { margin: 4px 0 8px; }
.column.drop { border-color: var(--accent); background: #e3ecfa; }
[draggable="true"] { cursor: grab; }
.move { display: inline-block; margin-top: 6px; }
dialog { border: 1px solid var(--line); border-radius: 8px; padding: 16px; max-width: min(92vw, 420px);
  width: 100%; }
dialog::backdrop { background: rgb(0 0 0 / 40%); }
.buttons { display: flex; gap: 8px; flex-wrap: wrap; }
.languages { display: flex; gap: 8px; color: var(--muted); }
.crumbs { color: var(--muted); }
.periods a, .periods strong { margin-right: 8px; }
.report { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 4px 16px;
  margin-bottom: 16px; }
.chart { display: block; width: 100%; max-width: 400px; height: auto; font-size: 14px; }
.scroll { overflow-x: auto; max-width: 100%; }
.figures { border-collapse: collapse; margin: 8px 0; }
.figures th, .figures td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left;
  font-weight: 400; }
.figures thead th { font-weight: 600; }
.figures .n { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); }
button.secondary { background: #fff; color: var(--accent); border: 1px solid var(--accent); }
.secret { background: #fff8e6; border: 2px solid #9a6700; border-radius: 8px; padding: 4px 16px; }
.secret input { width: 100%; font-family: ui-monospace, monospace; }
fieldset { border: 1px solid var(--line); border-radius: 6px; }
h1, code { overflow-wrap: anywhere; }
`;
