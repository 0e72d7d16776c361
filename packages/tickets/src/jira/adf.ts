/** Atlassian Document Format, the shape Jira Cloud REST v3 takes for descriptions and comments. */
export interface AdfDocument {
  type: 'doc';
  version: 1;
  content: AdfNode[];
}
type AdfText = { type: 'text'; text: string };
type AdfParagraph = { type: 'paragraph'; content: AdfText[] };
type AdfList = {
  type: 'bulletList';
  content: Array<{ type: 'listItem'; content: AdfParagraph[] }>;
};
type AdfNode = AdfParagraph | AdfList;

/**
 * Plain text to ADF: blank lines separate paragraphs, `- ` lines form bullet lists. Jira rejects
 * empty text nodes, so empty lines never become one.
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
  return { type: 'paragraph', content: [{ type: 'text', text }] };
}
