import {
  basicCredentials,
  type HttpSimulator,
  SimulatedHttpError,
  type SimulatorRequest,
  type SimulatorResponse,
  startHttpSimulator,
} from './httpSimulator';

export const JIRA_SIMULATOR_CREDENTIALS = {
  email: 'tourniquet@example.com',
  apiToken: 'local-jira-api-token',
} as const;

const STATUSES = {
  '11': { name: 'To Do', statusCategory: { key: 'new' } },
  '21': { name: 'In Progress', statusCategory: { key: 'indeterminate' } },
  '31': { name: 'Done', statusCategory: { key: 'done' } },
} as const;
type TransitionId = keyof typeof STATUSES;
const ISSUE_TYPES = ['Task', 'Bug', 'Story', 'Incident'];

export interface JiraIssue {
  id: string;
  key: string;
  summary: string;
  description: unknown;
  labels: string[];
  issueType: string;
  status: (typeof STATUSES)[TransitionId];
  comments: Array<{ id: string; body: unknown; created: string }>;
  attachments: Array<{ id: string; filename: string; mimeType: string; content: string }>;
}

export interface JiraSimulator extends HttpSimulator {
  issues: Map<string, JiraIssue>;
}

/**
 * Jira Cloud REST API v3, the parts Tourniquet uses: create issue (with ADF checks), JQL search
 * (`/rest/api/3/search/jql`, project/labels clauses), comments, attachments (multipart, needs
 * `X-Atlassian-Token: no-check`), transitions. Basic auth with an account email and API token.
 */
export async function startJiraSimulator(
  options: { projects?: string[]; email?: string; apiToken?: string } = {},
): Promise<JiraSimulator> {
  const projects = new Set(options.projects ?? ['SEC']);
  const email = options.email ?? JIRA_SIMULATOR_CREDENTIALS.email;
  const apiToken = options.apiToken ?? JIRA_SIMULATOR_CREDENTIALS.apiToken;
  const issues = new Map<string, JiraIssue>();
  let counter = 0;
  let simulator: HttpSimulator;

  const issueOf = (key: string | undefined): JiraIssue => {
    const issue = key ? issues.get(key) : undefined;
    if (!issue) {
      throw new SimulatedHttpError(404, {
        errorMessages: ['Issue does not exist or you do not have permission to see it.'],
        errors: {},
      });
    }
    return issue;
  };

  const routes: Array<
    [
      string,
      RegExp,
      (r: SimulatorRequest, m: RegExpMatchArray) => SimulatorResponse | Promise<SimulatorResponse>,
    ]
  > = [
    ['POST', /^\/rest\/api\/3\/issue$/, (r) => create(r)],
    [
      'GET',
      /^\/rest\/api\/3\/issue\/([^/]+)$/,
      (_r, m) => ({ status: 200, json: render(issueOf(m[1])) }),
    ],
    ['POST', /^\/rest\/api\/3\/search\/jql$/, (r) => search(r)],
    ['POST', /^\/rest\/api\/3\/issue\/([^/]+)\/comment$/, (r, m) => comment(r, issueOf(m[1]))],
    ['POST', /^\/rest\/api\/3\/issue\/([^/]+)\/attachments$/, (r, m) => attach(r, issueOf(m[1]))],
    [
      'GET',
      /^\/rest\/api\/3\/issue\/([^/]+)\/transitions$/,
      (_r, m) => {
        issueOf(m[1]);
        return {
          status: 200,
          json: {
            transitions: Object.entries(STATUSES).map(([id, to]) => ({ id, name: to.name, to })),
          },
        };
      },
    ],
    [
      'POST',
      /^\/rest\/api\/3\/issue\/([^/]+)\/transitions$/,
      (r, m) => transition(r, issueOf(m[1])),
    ],
  ];

  function create(request: SimulatorRequest): SimulatorResponse {
    const fields = ((request.json() as { fields?: Record<string, unknown> }).fields ?? {}) as {
      project?: { key?: string };
      summary?: unknown;
      issuetype?: { name?: string };
      description?: unknown;
      labels?: unknown;
    };
    const errors: Record<string, string> = {};
    const project = fields.project?.key;
    if (!project || !projects.has(project)) errors.project = 'valid project is required';
    if (typeof fields.summary !== 'string' || !fields.summary.trim())
      errors.summary = 'You must specify a summary of the issue.';
    else if (fields.summary.length > 255)
      errors.summary = 'Summary must be less than 255 characters.';
    if (!ISSUE_TYPES.includes(fields.issuetype?.name ?? ''))
      errors.issuetype = 'Specify a valid issue type';
    const labels = fields.labels ?? [];
    if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string' || /\s/.test(l)))
      errors.labels = 'Labels cannot contain spaces.';
    if (fields.description !== undefined && !isAdf(fields.description))
      errors.description =
        'Operation value must be an Atlassian Document (see the Atlassian Document Format).';
    if (Object.keys(errors).length > 0)
      throw new SimulatedHttpError(400, { errorMessages: [], errors });
    counter += 1;
    const key = `${project}-${counter}`;
    const issue: JiraIssue = {
      id: String(10000 + counter),
      key,
      summary: fields.summary as string,
      description: fields.description ?? null,
      labels: labels as string[],
      issueType: fields.issuetype?.name as string,
      status: STATUSES['11'],
      comments: [],
      attachments: [],
    };
    issues.set(key, issue);
    return {
      status: 201,
      json: { id: issue.id, key, self: `${simulator.url}/rest/api/3/issue/${issue.id}` },
    };
  }

  function search(request: SimulatorRequest): SimulatorResponse {
    const body = request.json() as { jql?: string; maxResults?: number };
    const clauses = parseJql(body.jql ?? '');
    const found = [...issues.values()].filter((issue) =>
      clauses.every(([field, value]) =>
        field === 'project' ? issue.key.startsWith(`${value}-`) : issue.labels.includes(value),
      ),
    );
    return {
      status: 200,
      json: {
        issues: found
          .slice(0, body.maxResults ?? 50)
          .map((i) => ({ id: i.id, key: i.key, fields: { summary: i.summary } })),
        isLast: true,
      },
    };
  }

  function comment(request: SimulatorRequest, issue: JiraIssue): SimulatorResponse {
    const body = (request.json() as { body?: unknown }).body;
    if (!isAdf(body)) {
      throw new SimulatedHttpError(400, {
        errorMessages: [],
        errors: { comment: 'Comment body can not be empty!' },
      });
    }
    const entry = {
      id: String(20000 + issue.comments.length + 1),
      body,
      created: new Date().toISOString(),
    };
    issue.comments.push(entry);
    return { status: 201, json: entry };
  }

  async function attach(request: SimulatorRequest, issue: JiraIssue): Promise<SimulatorResponse> {
    if (request.headers['x-atlassian-token'] !== 'no-check') {
      throw new SimulatedHttpError(403, { message: 'XSRF check failed' });
    }
    const form = await request.formData();
    const added = [];
    for (const value of form.getAll('file')) {
      if (typeof value === 'string') continue;
      const attachment = {
        id: String(30000 + issue.attachments.length + 1),
        filename: value.name,
        mimeType: value.type,
        content: await value.text(),
      };
      issue.attachments.push(attachment);
      added.push({
        id: attachment.id,
        filename: attachment.filename,
        size: attachment.content.length,
      });
    }
    if (added.length === 0) throw new SimulatedHttpError(400, { errorMessages: ['No file found'] });
    return { status: 200, json: added };
  }

  function transition(request: SimulatorRequest, issue: JiraIssue): SimulatorResponse {
    const id = (request.json() as { transition?: { id?: string } }).transition?.id;
    if (!id || !(id in STATUSES)) {
      throw new SimulatedHttpError(400, {
        errorMessages: [`Transition id '${id}' is not valid for this issue.`],
        errors: {},
      });
    }
    issue.status = STATUSES[id as TransitionId];
    return { status: 204 };
  }

  function render(issue: JiraIssue) {
    return {
      id: issue.id,
      key: issue.key,
      fields: {
        summary: issue.summary,
        labels: issue.labels,
        status: issue.status,
        issuetype: { name: issue.issueType },
        comment: { comments: issue.comments, total: issue.comments.length },
        attachment: issue.attachments.map(({ content: _content, ...a }) => a),
      },
    };
  }

  simulator = await startHttpSimulator('jira', async (request) => {
    const credentials = basicCredentials(request.headers);
    if (!credentials || credentials[0] !== email || credentials[1] !== apiToken) {
      return {
        status: 401,
        json: {
          errorMessages: ['Client must be authenticated to access this resource.'],
          errors: {},
        },
      };
    }
    for (const [method, pattern, route] of routes) {
      const match = request.path.match(pattern);
      if (match && request.method === method) return route(request, match);
    }
    return { status: 404, json: { errorMessages: [`no route ${request.method} ${request.path}`] } };
  });
  return Object.assign(simulator, { issues });
}

/** The JQL Tourniquet sends: `field = "value"` clauses joined by AND, optional ORDER BY. */
function parseJql(jql: string): Array<[string, string]> {
  const where = jql.split(/\s+ORDER\s+BY\s+/i)[0] ?? '';
  return where
    .split(/\s+AND\s+/i)
    .filter(Boolean)
    .map((clause) => {
      const m = /^\s*(project|labels)\s*=\s*"?([^"]+?)"?\s*$/i.exec(clause);
      if (!m?.[1] || !m[2]) {
        throw new SimulatedHttpError(400, {
          errorMessages: [`Error in the JQL Query: cannot parse '${clause}'`],
          errors: {},
        });
      }
      return [m[1].toLowerCase(), m[2]] as [string, string];
    });
}

/** ADF: a `doc` of version 1 whose text nodes are non-empty, as Jira enforces. */
function isAdf(value: unknown): boolean {
  const doc = value as { type?: string; version?: number; content?: unknown };
  if (doc?.type !== 'doc' || doc.version !== 1 || !Array.isArray(doc.content)) return false;
  const walk = (node: unknown): boolean => {
    const n = node as { type?: string; text?: unknown; content?: unknown };
    if (typeof n?.type !== 'string') return false;
    if (n.type === 'text') return typeof n.text === 'string' && n.text.length > 0;
    return n.content === undefined || (Array.isArray(n.content) && n.content.every(walk));
  };
  return doc.content.every(walk);
}
