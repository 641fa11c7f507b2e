import { writeFileSync } from 'node:fs';
import { renderErrorCatalogue } from '../src/core/error-catalogue-doc.js';

writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorCatalogue());
console.log('wrote docs/errors.md');
