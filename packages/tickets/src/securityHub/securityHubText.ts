import { plainText } from '../sanitise/plainText';

/** ASFF limits: Title 256, Description 1,024, a ProductFields value 2,048, a Resource Id 512. */
export const SECURITYHUB_TITLE_LIMIT = 256;
export const SECURITYHUB_DESCRIPTION_LIMIT = 1024;
export const SECURITYHUB_FIELD_LIMIT = 2048;
export const SECURITYHUB_RESOURCE_ID_LIMIT = 512;

/**
 * What the Security Hub sink imports. The console and every SIEM that consumes ASFF show these
 * fields as plain text; what matters is that control characters and terminal escapes never
 * reach a log viewer, single-line fields stay single-line, and nothing exceeds the ASFF limits
 * (BatchImportFindings refuses the whole finding otherwise).
 */
export function securityHubTitle(text: unknown): string {
  return plainText(text, { newlines: false, limit: SECURITYHUB_TITLE_LIMIT });
}

export function securityHubDescription(text: unknown): string {
  return plainText(text, { newlines: true, limit: SECURITYHUB_DESCRIPTION_LIMIT });
}

export function securityHubField(text: unknown, limit = SECURITYHUB_FIELD_LIMIT): string {
  return plainText(text, { newlines: false, limit });
}
