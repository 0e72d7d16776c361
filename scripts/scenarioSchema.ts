import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCENARIO_SCHEMA_FILE, scenarioJsonSchemaText } from '@tourniquet/testkit';

/**
 * Writes the scenario JSON Schema editors complete scenario files from (generated from the zod
 * schema the loader validates with). A test fails when the checked-in file is stale.
 */
const file = join(import.meta.dirname, '..', SCENARIO_SCHEMA_FILE);
writeFileSync(file, scenarioJsonSchemaText());
console.log(`wrote ${SCENARIO_SCHEMA_FILE}`);
