// Debian's Chromium for the browser tests (issue 13): never a browser download.
import { ensureDebianPackage } from './debian.js';

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
  return ensureDebianPackage(CHROMIUM, 'chromium', 'the browser tests', log);
}
