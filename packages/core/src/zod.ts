/**
 * zod as every schema of the functions uses it: the `zod/mini` API (functions such as
 * `z.optional(s)` and checks such as `s.check(z.regex(…))` instead of methods), with zod's
 * English messages. The classic `zod` API puts every method on every schema: about 90 KiB that
 * cannot be tree-shaken, loaded and run at each cold start (docs/decisions.md). `zod/mini` loads
 * no locale by itself, so its messages would all read "Invalid input"; this module sets the
 * English one once, before any schema here parses (listed under `sideEffects` in package.json
 * so bundles keep it). Import it as `import * as z from '@tourniquet/core/zod'`.
 */

import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
