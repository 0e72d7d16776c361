import { faultReplaySuite } from './helpers/faultReplay';

// At 30 % a Kubernetes call fails often enough that a step can exhaust its retries in every
// incident; the run must still converge (contained, denied or escalated) and release everything
// exactly.
faultReplaySuite(0.3, 0);
