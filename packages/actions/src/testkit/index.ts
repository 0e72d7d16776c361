/** `@tourniquet/actions/testkit`: tools for tests and benchmarks of the actions. */
export { type RecordedTrip, RoundTripRecorder } from './roundTripRecorder';
