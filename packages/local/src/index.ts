export { main } from './cli/main';
export type { CliIo } from './cli/io';
export { EXIT } from './cli/io';
export { loadConfig } from './loadConfig';
export { type PlanRecord, planEvent, toRecord } from './planEvent';
export { readEventInputs } from './readEvents';
