import { LINK_LIKE } from '../sanitise/linkLike';

/** Atlassian Document Format, the shape Jira Cloud REST v3 takes for descriptions and comments. */
export interface AdfDocument {
  type: 'doc';
  version: 1;
  content: AdfNode[];
}
export type AdfText = { type: 'text'; text: string; marks?: Array<{ type: 'code' }> };
type AdfParagraph = { type: 'paragraph'; content: AdfText[] };
type AdfList = {
  type: 'bulletList';
  content: Array<{ type: 'listItem'; content: AdfParagraph[] }>;
};
type AdfNode = AdfParagraph | AdfList;

/**
 * Plain text to ADF: blank lines separate paragraphs, `- ` lines form bullet lists. Jira rejects
 * empty text nodes, so empty lines never become one. Link-like runs get the `code` mark: shown
 * as typed, never linked or unfurled into a smart-link card.
 */
export function textToAdf(text: string): AdfDocument {
  const content: AdfNode[] = [];
  let paragraph: string[] = [];
  let list: AdfList | null = null;
  const flushParagraph = () => {
    if (paragraph.length > 0) content.push(para(paragraph.join('\n')));
    paragraph = [];
  };
  for (const line of text.split('\n')) {
    const item = /^\s*[-*] (.*)$/.exec(line);
    if (item?.[1]?.trim()) {
      flushParagraph();
      if (!list) {
        list = { type: 'bulletList', content: [] };
        content.push(list);
      }
      list.content.push({ type: 'listItem', content: [para(item[1])] });
      continue;
    }
    list = null;
    if (line.trim()) paragraph.push(line);
    else flushParagraph();
  }
  flushParagraph();
  if (content.length === 0) content.push(para('(no details)'));
  return { type: 'doc', version: 1, content };
}

function para(text: string): AdfParagraph {
  return { type: 'paragraph', content: inline(text) };
}

function inline(text: string): AdfText[] {
  const nodes: AdfText[] = [];
  let at = 0;
  for (const match of text.matchAll(LINK_LIKE)) {
    if (match.index > at) nodes.push({ type: 'text', text: text.slice(at, match.index) });
    nodes.push({ type: 'text', text: match[0], marks: [{ type: 'code' }] });
    at = match.index + match[0].length;
  }
  if (at < text.length) nodes.push({ type: 'text', text: text.slice(at) });
  return nodes;
}
