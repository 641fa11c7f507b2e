import { readFileSync } from 'node:fs';

/**
 * The shell block between `<!-- walkthrough:start -->` and `<!-- walkthrough:end -->` of a
 * document of the repository (path relative to its root): what the doc tells a user to run.
 */
export function walkthroughOf(document: string): string {
  const text = readFileSync(new URL(`../../${document}`, import.meta.url), 'utf8');
  const section = /<!-- walkthrough:start -->([\s\S]*?)<!-- walkthrough:end -->/.exec(text)?.[1];
  const script = section && /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!script) throw new Error(`${document} has no walkthrough block`);
  return script;
}
