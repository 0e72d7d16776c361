import type { FieldProblem } from './errors';
import type * as z from './zod';

const MAX_VALUE_PREVIEW = 40;

/** Turns zod issues into field problems with dotted paths, e.g. `detail.resource.resourceType`. */
export function zodProblems(error: z.core.$ZodError, prefix = ''): FieldProblem[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    return { path, message: truncate(issue.message) };
  });
}

function truncate(text: string): string {
  return text.length > MAX_VALUE_PREVIEW * 4 ? `${text.slice(0, MAX_VALUE_PREVIEW * 4)}…` : text;
}
