/**
 * Environment read once per cold start. Missing or malformed values fail the cold start with a
 * message that names the variable, instead of a late undefined.
 */
export function requiredEnv(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new Error(`environment variable ${name} is required but not set`);
  return value;
}

export function jsonEnv(name: string, fallback?: unknown): unknown {
  const raw = process.env[name]?.trim();
  if (!raw) {
    if (fallback !== undefined) return fallback;
    throw new Error(`environment variable ${name} is required but not set`);
  }
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new Error(`environment variable ${name} is not valid JSON: ${(error as Error).message}`);
  }
}
