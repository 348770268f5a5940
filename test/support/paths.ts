import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The project's shared folder (reference data, agency samples) sits beside the checkout, in CI too. */
export const SHARED = path.resolve(REPO_ROOT, '../shared');
export const SAMPLES = path.join(SHARED, 'feeds/samples');
export const REFERENCE = path.join(SHARED, 'reference');
