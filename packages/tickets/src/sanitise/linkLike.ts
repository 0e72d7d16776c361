/**
 * Runs of text a renderer could turn into a link on its own: `scheme://…` URLs, `www.` hosts and
 * e-mail addresses (GFM's autolink literals, Jira's and Slack's link detection). Sinks show them
 * as code, which no renderer links.
 */
export const LINK_LIKE = /\b[a-z][a-z0-9+.-]*:\/\/\S+|\bwww\.\S+|[^\s@]+@[^\s@]+\.[^\s@]+/gi;
