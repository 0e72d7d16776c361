// Core holds the rule so that `tourniquet doctor` looks for exactly the forwarding rules deployed.
export { type ForwardingRegion, forwardedRules, forwardingRegions } from '@tourniquet/core';
