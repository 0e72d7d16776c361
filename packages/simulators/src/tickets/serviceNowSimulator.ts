import { randomBytes } from 'node:crypto';
import {
  basicCredentials,
  type HttpSimulator,
  SimulatedHttpError,
  type SimulatorRequest,
  type SimulatorResponse,
  startHttpSimulator,
} from './httpSimulator';

export const SERVICENOW_SIMULATOR_CREDENTIALS = {
  username: 'tourniquet.integration',
  password: 'local-servicenow-password',
} as const;

/** Fields of the incident table the simulator keeps; others are accepted and ignored, as ServiceNow does. */
const FIELDS = [
  'short_description',
  'description',
  'impact',
  'urgency',
  'category',
  'correlation_id',
  'correlation_display',
  'assignment_group',
  'caller_id',
  'state',
  'close_code',
  'close_notes',
] as const;

export interface ServiceNowIncident {
  sys_id: string;
  number: string;
  state: string;
  [field: string]: string | string[];
  /** Journal: every work note, oldest first (the API itself returns the field empty). */
  work_notes_journal: string[];
}

export interface ServiceNowAttachment {
  sys_id: string;
  table_sys_id: string;
  file_name: string;
  content_type: string;
  content: string;
}

export interface ServiceNowSimulator extends HttpSimulator {
  incidents: Map<string, ServiceNowIncident>;
  attachments: ServiceNowAttachment[];
}

/**
 * ServiceNow Table API for `incident` (`/api/now/table/incident`: query with sysparm_query,
 * create, get, PATCH/PUT with work notes) and the Attachment API (`/api/now/attachment/file`).
 * Basic auth. Resolving (state 6) without close_code and close_notes fails with the data
 * policy error instances return.
 */
export async function startServiceNowSimulator(
  options: { username?: string; password?: string } = {},
): Promise<ServiceNowSimulator> {
  const username = options.username ?? SERVICENOW_SIMULATOR_CREDENTIALS.username;
  const password = options.password ?? SERVICENOW_SIMULATOR_CREDENTIALS.password;
  const incidents = new Map<string, ServiceNowIncident>();
  const attachments: ServiceNowAttachment[] = [];
  const failure = (status: number, message: string, detail: string) =>
    new SimulatedHttpError(status, { error: { message, detail }, status: 'failure' });

  const recordOf = (sysId: string | undefined) => {
    const record = sysId ? incidents.get(sysId) : undefined;
    if (!record)
      throw failure(
        404,
        'No Record found',
        "Record doesn't exist or ACL restricts the record retrieval",
      );
    return record;
  };

  const view = (record: ServiceNowIncident, fields: string | null) => {
    const { work_notes_journal: _journal, ...visible } = record;
    const shown: Record<string, unknown> = { ...visible, work_notes: '' };
    if (!fields) return shown;
    return Object.fromEntries(fields.split(',').map((f) => [f, shown[f] ?? '']));
  };

  const write = (record: ServiceNowIncident, body: Record<string, unknown>) => {
    for (const field of FIELDS) {
      if (body[field] !== undefined) {
        const value = String(body[field]);
        record[field] = field === 'short_description' ? value.slice(0, 160) : value;
      }
    }
    if (typeof body.work_notes === 'string' && body.work_notes)
      record.work_notes_journal.push(body.work_notes);
    if (record.state === '6' && (!record.close_code || !record.close_notes)) {
      throw failure(
        403,
        'Operation Failed',
        'Data Policy Exception: the following fields are mandatory: Resolution code, Resolution notes',
      );
    }
    record.sys_updated_on = new Date().toISOString();
  };

  const handle = async (request: SimulatorRequest): Promise<SimulatorResponse> => {
    const table = /^\/api\/now\/table\/incident(?:\/([0-9a-f]{32}))?$/.exec(request.path);
    if (table) {
      const sysId = table[1];
      if (request.method === 'GET' && !sysId) {
        const conditions = (request.query.get('sysparm_query') ?? '')
          .split('^')
          .filter(Boolean)
          .map((c) => c.split('=') as [string, string]);
        const limit = Number(request.query.get('sysparm_limit') ?? '10000');
        const result = [...incidents.values()]
          .filter((r) => conditions.every(([f, v]) => String(r[f] ?? '') === v))
          .slice(0, limit)
          .map((r) => view(r, request.query.get('sysparm_fields')));
        return { status: 200, json: { result } };
      }
      if (request.method === 'GET')
        return { status: 200, json: { result: view(recordOf(sysId), null) } };
      if (request.method === 'POST' && !sysId) {
        const body = request.json() as Record<string, unknown>;
        const number = `INC${String(10001 + incidents.size).padStart(7, '0')}`;
        const record: ServiceNowIncident = {
          sys_id: randomBytes(16).toString('hex'),
          number,
          state: '1',
          sys_created_on: new Date().toISOString(),
          work_notes_journal: [],
        };
        write(record, body);
        incidents.set(record.sys_id, record);
        return { status: 201, json: { result: view(record, null) } };
      }
      if ((request.method === 'PATCH' || request.method === 'PUT') && sysId) {
        const record = recordOf(sysId);
        const draft = structuredClone(record);
        write(draft, request.json() as Record<string, unknown>);
        incidents.set(sysId, draft);
        return { status: 200, json: { result: view(draft, null) } };
      }
    }
    if (request.method === 'POST' && request.path === '/api/now/attachment/file') {
      const tableSysId = request.query.get('table_sys_id') ?? '';
      const fileName = request.query.get('file_name');
      if (request.query.get('table_name') !== 'incident' || !fileName) {
        throw failure(
          400,
          'Invalid request',
          'table_name, table_sys_id and file_name are required',
        );
      }
      recordOf(tableSysId);
      const attachment = {
        sys_id: randomBytes(16).toString('hex'),
        table_sys_id: tableSysId,
        file_name: fileName,
        content_type: request.headers['content-type'] ?? 'application/octet-stream',
        content: request.raw.toString('utf8'),
      };
      attachments.push(attachment);
      const { content: _content, ...result } = attachment;
      return {
        status: 201,
        json: { result: { ...result, size_bytes: String(request.raw.length) } },
      };
    }
    throw failure(400, 'Requested URI does not represent any resource', request.path);
  };

  const simulator = await startHttpSimulator('servicenow', (request) => {
    const credentials = basicCredentials(request.headers);
    if (!credentials || credentials[0] !== username || credentials[1] !== password) {
      return {
        status: 401,
        json: {
          error: {
            message: 'User Not Authenticated',
            detail: 'Required to provide Auth information',
          },
          status: 'failure',
        },
      };
    }
    return handle(request);
  });
  return Object.assign(simulator, { incidents, attachments });
}
