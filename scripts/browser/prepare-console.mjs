// npm's `prepare` step (runs on `npm ci` / `npm install` in a clone): builds the web console into
// dist/console, which `riffle server` serves at `/`. An install without the dev dependencies
// (no Vite) skips the build with a notice: the server then answers `/` with how to build it.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
if (!existsSync(join(root, 'node_modules', 'vite', 'package.json'))) {
  console.log('riffle: Vite is not installed (no dev dependencies): the web console is not built; run `npm run build:console` after `npm install`.');
  process.exit(0);
}
const r = spawnSync('npm', ['run', 'build:console'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
