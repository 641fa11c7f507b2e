// Debian packages the ops and browser tests run (chromium, nginx): never a download from
// elsewhere. The machine kind this project runs on can install them from Debian's packages and
// does not come with them, so `npm test` installs each once when it is missing and it may (as
// root, with apt-get); anywhere else it says what to install.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Resolves once `binary` exists, installing Debian's `pkg` when it can; answers `binary`. */
export function ensureDebianPackage(
  binary: string,
  pkg: string,
  purpose: string,
  log: (line: string) => void = () => {},
): string {
  if (existsSync(binary)) return binary;
  const root = process.getuid?.() === 0;
  const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
  if (!root || !apt) {
    throw new Error(`${purpose} need Debian's ${pkg} at ${binary}: apt-get install -y ${pkg}`);
  }
  log(`installing Debian's ${pkg} for ${purpose} (once)`);
  const install = () =>
    spawnSync('apt-get', ['install', '-y', pkg], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status === 0;
  if (!install()) {
    // A stale package list names versions the mirror no longer has.
    spawnSync('apt-get', ['update'], { stdio: 'inherit' });
    if (!install()) throw new Error(`apt-get could not install ${pkg}`);
  }
  if (!existsSync(binary)) throw new Error(`${pkg} installed, but ${binary} is missing`);
  return binary;
}
