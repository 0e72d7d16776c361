import { faultReplaySuite } from './helpers/faultReplay';

// At 10 % every kind of step must also have been applied at least once (the 30 % run is in
// faultsHeavy.test.ts, a file of its own so that the two run side by side).
faultReplaySuite(0.1, 1);
