// Debian's Chromium for the browser tests (issue 13): never a browser download. The machine
// kind this project runs on can install it from Debian's packages and does not come with it, so
// `npm test` installs it once when it is missing and it may (as root, with apt-get); anywhere
// else it says what to install.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Chromium's flags for a headless run on a machine with a closed network: no sandbox (tests run
 * as root), no GPU, and none of the background connections that the network would refuse.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Resolves once `/usr/bin/chromium` exists, installing Debian's package when it can. */
export function ensureChromium(log: (line: string) => void = () => {}): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const root = process.getuid?.() === 0;
  const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
  if (!root || !apt) {
    throw new Error(
      `the browser tests need Debian's chromium at ${CHROMIUM}: apt-get install -y chromium`,
    );
  }
  log(`installing Debian's chromium for the browser tests (once)`);
  const install = () =>
    spawnSync('apt-get', ['install', '-y', 'chromium'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status === 0;
  if (!install()) {
    // A stale package list names versions the mirror no longer has.
    spawnSync('apt-get', ['update'], { stdio: 'inherit' });
    if (!install()) throw new Error('apt-get could not install chromium');
  }
  if (!existsSync(CHROMIUM)) throw new Error(`chromium installed, but ${CHROMIUM} is missing`);
  return CHROMIUM;
}
