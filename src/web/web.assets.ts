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
`;
