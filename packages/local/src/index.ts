export type { CliIo } from './cli/io';
export { EXIT } from './cli/io';
export { main } from './cli/main';
export { freePort } from './emulators/freePort';
export { type MotoServer, MotoUnavailableError, startMoto } from './emulators/moto';
export { loadConfig } from './loadConfig';
export { type PlanRecord, planEvent, toRecord } from './planEvent';
export { readEventInputs } from './readEvents';
