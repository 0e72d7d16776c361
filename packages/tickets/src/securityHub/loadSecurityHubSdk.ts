/**
 * The Security Hub SDK, loaded when a `securityhub` sink first calls it. Its module scope (the
 * service's shapes, ~180 KB bundled) would otherwise run in every cold start of every function
 * that files tickets, whichever sinks the stage configures. The import names a module that
 * re-exports only what the sink uses: a namespace import of the package would keep all of it.
 */
export const loadSecurityHubSdk = () => import('./securityHubSdk');
