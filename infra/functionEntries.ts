import type { FunctionName } from './permissions';

const ENTRIES: Record<string, string> = {
  triage: 'functions/triage.ts',
  'request-approval': 'functions/requestApproval.ts',
  'slack-interactions': 'functions/slackInteractions.ts',
  decide: 'functions/decide.ts',
  'open-ticket': 'functions/openTicket.ts',
  escalate: 'functions/escalate.ts',
};

export const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Entry file of a function: the action handlers live in functions/actions/<camelName>.ts. Free
 * of SST's globals, so the bench bundles exactly what infra/ deploys.
 */
export function entryOf(name: FunctionName): string {
  return ENTRIES[name] ?? `functions/actions/${camel(name)}.ts`;
}
