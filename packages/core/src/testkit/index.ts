/**
 * `@tourniquet/core/testkit`: the repository's sample events and configuration, loaded and
 * varied for tests and benchmarks (negative cases are built from the real samples).
 */

export { freePort } from './freePort';
export { closeServer, listenLoopback, readRequestBody } from './loopbackServer';
export {
  allEventFiles,
  type CatalogueRow,
  EVENTS_DIR,
  eventCatalogue,
  loadEvent,
  REPO_ROOT,
  sampleConfig,
  without,
  withValue,
} from './sampleEvents';
