// Entry of the normalise worker thread. A worker does not inherit the tsx hooks the command or the test
// runner registered on the main thread, so it registers its own before loading the TypeScript module.
import { register } from 'tsx/esm/api';

register();
await import('./entity-worker.ts');
