import {
  jiraDocument,
  jiraSummary,
  markdown,
  pagerDutyDetails,
  pagerDutyField,
  pagerDutySummary,
  parseTicketSettings,
  plainText,
  securityHubDescription,
  securityHubTitle,
  serviceNowShortText,
  serviceNowText,
  TRUNCATION_MARK,
} from '@tourniquet/tickets';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { describe, expect, it } from 'vitest';

/** GitHub-flavoured Markdown as a renderer sees it, raw HTML allowed (the worst case). */
const render = (md: string) =>
  micromark(md, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });

const ESC = '\u001b';

describe('plainText: the base every sink shares', () => {
  it.each([
    ['ANSI colour', `${ESC}[31mred${ESC}[0m`, 'red'],
    ['terminal title (OSC)', `${ESC}]0;owned\u0007pod`, 'pod'],
    ['cursor movement', `a${ESC}[2Kb${ESC}[1A`, 'ab'],
    ['C1 CSI', 'a\u009b31mb', 'ab'],
    ['NUL, BEL, backspace, DEL', 'a\u0000b\u0007c\u0008d\u007f', 'abcd'],
    ['bidi override (Trojan Source)', 'admin\u202e\u2066txt.exe', 'admintxt.exe'],
  ])('strips %s', (_name, input, expected) => {
    expect(plainText(input, { newlines: true, limit: 100 })).toBe(expected);
  });

  it('keeps \\n and \\t only where asked; CR, CRLF and Unicode separators become \\n', () => {
    expect(plainText('a\r\nb\rc\u2028d\te', { newlines: true, limit: 100 })).toBe('a\nb\nc\nd\te');
    expect(plainText('a\r\nb\tc', { newlines: false, limit: 100 })).toBe('a b c');
  });

  it('cuts at the limit with a mark, never through a surrogate pair', () => {
    const long = 'x'.repeat(50);
    const cut = plainText(long, { newlines: false, limit: 20 });
    expect(cut).toHaveLength(20);
    expect(cut.endsWith(TRUNCATION_MARK)).toBe(true);
    const emoji = `${'x'.repeat(6)}${'😀'.repeat(20)}`;
    const cutEmoji = plainText(emoji, { newlines: false, limit: 6 + TRUNCATION_MARK.length + 1 });
    expect(cutEmoji).toBe(`xxxxxx${TRUNCATION_MARK}`);
    expect(plainText(null, { newlines: false, limit: 5 })).toBe('');
  });
});

describe('Jira (REST v3, ADF)', () => {
  it('text stays literal in text nodes; URLs, www hosts and e-mail addresses are code-marked', () => {
    const doc = jiraDocument(
      'see [click|https://evil.example] and www.evil.example or a@evil.example',
    );
    const nodes = doc.content.flatMap((n) => n.content as unknown[]);
    expect(nodes).toEqual([
      { type: 'text', text: 'see [click|' },
      { type: 'text', text: 'https://evil.example]', marks: [{ type: 'code' }] },
      { type: 'text', text: ' and ' },
      { type: 'text', text: 'www.evil.example', marks: [{ type: 'code' }] },
      { type: 'text', text: ' or ' },
      { type: 'text', text: 'a@evil.example', marks: [{ type: 'code' }] },
    ]);
    // No node type other than text, paragraph, list: no inlineCard, no mention, no media.
    expect(JSON.stringify(doc)).not.toMatch(/inlineCard|mention|media|"link"/);
  });

  it('a summary is one line of plain text within 255 characters', () => {
    expect(jiraSummary(`a\nb${ESC}[31m`)).toBe('a b');
    expect(jiraSummary('x'.repeat(400))).toHaveLength(255);
  });

  it('a text that is only control characters still gives Jira a non-empty document', () => {
    expect(jiraDocument('\u0000\u0007').content).toEqual([
      { type: 'paragraph', content: [{ type: 'text', text: '(no details)' }] },
    ]);
  });
});

describe('ServiceNow', () => {
  it.each([
    ['[code]<img src=x onerror=alert(1)>[/code]', '(code)‹img src=x onerror=alert(1)›(/code)'],
    ['[CODE]x[/Code]', '(CODE)x(/Code)'],
    ['[ code ]x[ / code ]', '( code )x( / code )'],
    ['[co[code]de]', '[co(code)de]'],
    [
      'ping @[6816f79cc0a8016401c5a33be04be441:Abel Tuter]',
      'ping @(6816f79cc0a8016401c5a33be04be441:Abel Tuter]',
    ],
  ])('neutralises %s', (input, expected) => {
    expect(serviceNowText(input)).toBe(expected);
    expect(serviceNowText(input)).not.toMatch(/\[\s*\/?\s*code\s*\]|[<>]/i);
  });

  it('short_description is one line of at most 160 characters; text fields at most 4,000', () => {
    expect(serviceNowShortText('a\nb')).toBe('a b');
    expect(serviceNowShortText('y'.repeat(500))).toHaveLength(160);
    expect(serviceNowText('z'.repeat(10_000))).toHaveLength(4000);
    expect(serviceNowText('line 1\nline 2')).toBe('line 1\nline 2');
  });
});

describe('PagerDuty (plain text)', () => {
  it('summary and identifiers are single-line and bounded; details keep lines', () => {
    expect(pagerDutySummary(`${ESC}[5mALERT${ESC}[0m\nsecond line`)).toBe('ALERT second line');
    expect(pagerDutySummary('s'.repeat(5000))).toHaveLength(1024);
    expect(pagerDutyField('pod\u0000/x'.repeat(100))).toHaveLength(255);
    expect(pagerDutyDetails('a\nb\u0007', 100)).toBe('a\nb');
  });
});

describe('Security Hub (ASFF)', () => {
  it('title one line within 256, description within 1,024, no control characters', () => {
    expect(securityHubTitle(`t\n${ESC}[31mx`)).toBe('t x');
    expect(securityHubTitle('t'.repeat(300))).toHaveLength(256);
    expect(securityHubDescription(`d\n\u0000e`.repeat(500))).toHaveLength(1024);
  });
});

describe('Markdown (the incident report)', () => {
  const hostile = [
    '[click](https://evil.example)',
    '![x](https://evil.example/pixel.png)',
    '<img src=x onerror=alert(1)>',
    '<https://evil.example>',
    'https://evil.example/path',
    'www.evil.example',
    'mail a@evil.example',
    '&lt;script&gt;',
    '**bold** _it_ ~~gone~~ `code`',
    '[ref]: https://evil.example',
  ];

  it.each(hostile)('%s renders as the literal text, with no element of its own', (input) => {
    const html = render(`Detail: ${markdown.text(input)}`);
    expect(html).not.toMatch(/<(a|img|strong|em|del|script)\b/);
    expect(html).not.toContain('<img src=x');
  });

  it('a table cell cannot end its row or add a cell', () => {
    const md = markdown.table(['a', 'b'], [['x | y\n| z |', 'two']]);
    const html = render(md);
    expect(html.match(/<td>/g)).toHaveLength(2);
    expect(html).toContain('<td>two</td>');
  });

  it('text at the start of a list item cannot open a heading, quote or nested list', () => {
    for (const start of ['# h', '> q', '- l', '+ l', '1. n', '2) n', '=== x']) {
      const html = render(`- ${markdown.text(start)}`);
      expect(html).toMatch(/^<ul>\n<li>[^<]*<\/li>\n<\/ul>$/);
    }
  });

  it('a code span keeps backticks and pipes from breaking out', () => {
    const md = markdown.table(['id'], [[markdown.code('a`<b>`|c')]]);
    expect(render(md)).toContain("<td><code>a'&lt;b&gt;'|c</code></td>");
  });

  it('links only to http(s), with literal text', () => {
    expect(markdown.link('SEC-1', 'https://x.atlassian.net/browse/SEC-1').markdown).toBe(
      '[SEC-1](https://x.atlassian.net/browse/SEC-1)',
    );
    expect(markdown.link('x', 'javascript:alert(1)').markdown).toBe('x');
    expect(render(markdown.link('[a](b)', 'https://h/p)x').markdown)).toBe(
      '<p><a href="https://h/p%29x">[a](b)</a></p>',
    );
  });

  it('URL-like runs are code spans, which no renderer links, not even after parsing', () => {
    expect(markdown.text('go to https://evil.example/x or www.evil.example now')).toBe(
      'go to `https://evil.example/x` or `www.evil.example` now',
    );
    expect(render(markdown.text('mail a@evil.example'))).toBe(
      '<p>mail <code>a@evil.example</code></p>',
    );
  });

  it('ordinary text reads as it did (dots, dashes, slashes, colons untouched)', () => {
    expect(markdown.text('pod payments/payments-api-7d9f8b6c5-x2kqp: 10.0.1.2 at 12:00')).toBe(
      'pod payments/payments-api-7d9f8b6c5-x2kqp: 10.0.1.2 at 12:00',
    );
  });
});

describe('Sink URLs', () => {
  const jira = (baseUrl: string) =>
    parseTicketSettings({
      sinks: [{ type: 'jira', baseUrl, projectKey: 'SEC', credentialsSecret: 'jira' }],
    }).sinks[0];

  it('https anywhere; http only on loopback', () => {
    expect(jira('https://example.atlassian.net/')).toMatchObject({
      baseUrl: 'https://example.atlassian.net',
    });
    for (const local of ['http://127.0.0.1:8080', 'http://[::1]:8080', 'http://localhost:8080'])
      expect(jira(local)).toMatchObject({ baseUrl: local });
  });

  it.each([
    [
      'http://jira.example.com',
      /sinks\.0\.baseUrl: must be https:\/\/.*got host jira\.example\.com/,
    ],
    ['http://127.0.0.1.evil.example', /must be https:\/\//],
    ['ftp://jira.example.com', /sinks\.0\.baseUrl: expected an https:\/\/ URL/],
    ['https://bot:secret@jira.example.com', /must not carry credentials/],
  ])('%s is refused with a message naming the key', (url, message) => {
    expect(() => jira(url)).toThrow(message);
  });
});
