// The root suites load sample events through core's testkit, as the package suites do.
export * from '@tourniquet/core/testkit';
