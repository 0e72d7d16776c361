import { plainText } from '../sanitise/plainText';
import { type AdfDocument, textToAdf } from './adf';

/** Jira's summary field limit. */
export const JIRA_SUMMARY_LIMIT = 255;
/** Jira's limit for a rich-text field (description, comment body), kept well inside. */
export const JIRA_TEXT_LIMIT = 32_000;

/**
 * What the Jira sink sends. It talks REST v3, where descriptions and comments are Atlassian
 * Document Format: text nodes are literal, so wiki markup (`[text|url]`, `!image.png!`,
 * `{html}`, `[~accountid:…]` mentions) is never interpreted, and a mention or a smart link only
 * exists as its own node type, which this sink never builds from incident text. What is left to
 * do: strip control characters, bound the length, and mark anything URL-like as code (see
 * textToAdf) so no renderer turns an attacker's URL into a link or a smart-link card.
 */
export function jiraSummary(title: unknown): string {
  return plainText(title, { newlines: false, limit: JIRA_SUMMARY_LIMIT });
}

export function jiraDocument(text: unknown): AdfDocument {
  return textToAdf(plainText(text, { newlines: true, limit: JIRA_TEXT_LIMIT }));
}
