export { approveCommand, type DecideOptions, denyCommand } from './approveCommand';
export { FileIncidentStore, incidentsFile } from './fileIncidentStore';
export { formatIncidentList, incidentSummaryJson } from './formatIncidents';
export { incidentsCommand } from './incidentsCommand';
export { type CliIo, EXIT, UsageError } from './io';
export { loadConfig } from './loadConfig';
export { main } from './main';
export { type PlanRecord, planEvent, toRecord } from './planEvent';
export { readEventInputs } from './readEvents';
