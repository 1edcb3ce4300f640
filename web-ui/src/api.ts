// Thin fetch wrapper over the relay's REST API. Every failure becomes an
// ApiError carrying status, error code, server message and Retry-After.

import { describeError, parseRetryAfter, type ErrorContext, type RelayError } from './errors.ts';
import type { SavedFilter } from './saved-filters.ts';

export interface LoginResult {
  token: string;
  expiresAt: string;
  /** The account has a second factor: `mfaToken` and a code finish the login (see identity-api.ts). */
  mfaRequired?: boolean;
  mfaToken?: string;
}

export interface Me {
  username: string;
  role: string;
  expiresAt: string;
  /** The role requires a second factor this login has not got: it may only set one up. */
  mfaEnrolmentRequired?: boolean;
  /** The account signs in through the relay's single sign-on (step-up may go back there). */
  sso?: boolean;
}

export interface EffectiveRecording {
  policy: RecordingPolicy;
  device: RecordingPolicy;
  raisedBy: string[];
  inputRecordedFor: string[];
}

export interface Device {
  id: string;
  name: string;
  online: boolean;
  lastSeen: string | null;
  labels: Record<string, string>;
  /** Admin fields (GET /api/v1/devices answers them to everyone; older relays may not). */
  status?: 'pending' | 'accepted' | 'revoked';
  hostKeyFingerprint?: string | null;
  features?: DeviceFeatures;
  recording?: RecordingPolicy;
  /** What its sessions get: the policy after its labels' rules, the rules that raised it, and the input rules that apply. */
  recordingEffective?: EffectiveRecording;
  /** What the device last reported about itself; null until it has (older relays: absent). */
  facts?: DeviceFacts | null;
  factsAt?: string | null;
}

/** Inventory facts an agent reports (docs/FLEET.md); any of them may be null. */
export interface DeviceFacts {
  os: string | null;
  kernel: string | null;
  architecture: string | null;
  hostname: string | null;
  agentVersion: string | null;
  /** Last boot, epoch seconds. */
  bootTime: number | null;
  ipAddresses: string[] | null;
  cpuCount: number | null;
  memoryTotal: number | null;
}

/** One line of GET /api/v1/devices/agent-versions; agentVersion null: never reported. */
export interface AgentVersionCount {
  agentVersion: string | null;
  devices: number;
}

export type RecordingPolicy = 'off' | 'on' | 'required';

export interface DeviceFeatures {
  sftp: boolean;
  exec: boolean;
  forwarding: boolean;
  /** Web apps: the device's loopback HTTP services opened in the browser (older relays: absent). */
  webApps?: boolean;
}

/** POST /api/v1/devices/{id}/web-apps: a web app at its own origin, opened once by its launch URL. */
export interface WebApp {
  appId: string;
  deviceId: string;
  port: number;
  origin: string;
  url: string;
  expiresAt: string;
}

export function openWebApp(deviceId: string, port: number): Promise<WebApp> {
  return request<WebApp>('POST', `/api/v1/devices/${encodeURIComponent(deviceId)}/web-apps`, { port });
}

export interface EnrollmentToken {
  id: string;
  reusable: boolean;
  autoAccept: boolean;
  labels: Record<string, string>;
  expiresAt: string;
  uses: number;
  revoked: boolean;
  usable: boolean;
  createdBy: string;
  createdAt: string;
  /** Only in the answer to the POST that created it. */
  token?: string;
}

export interface UserAccount {
  username: string;
  role: 'admin' | 'operator' | 'viewer';
  labels: Record<string, string>;
}

export interface AuditEvent {
  id: number;
  at: string;
  event: string;
  actor: string | null;
  deviceId: string | null;
  sessionId: string | null;
  remoteIp: string | null;
  detail: string | null;
  /** The recording of the session the event is about, when it was recorded. */
  recordingId?: string | null;
}

export interface Recording {
  id: string;
  sessionId: string;
  deviceId: string;
  operator: string;
  startedAt: string;
  endedAt: string | null;
  bytes: number;
}

/** A recording whose text contains what was searched (`?q=`): where, in seconds from its start. */
export interface RecordingMatch extends Recording {
  firstMatchAt: number;
  matches: { at: number; line: string }[];
}

export class ApiError extends Error implements RelayError {
  constructor(
    readonly status: number | undefined,
    readonly code: string | undefined,
    readonly serverMessage: string | undefined,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(serverMessage || code || (status ? `HTTP ${status}` : 'network error'));
    this.name = 'ApiError';
  }

  /** RelayError view (the server's message under the `message` key). */
  get relayError(): RelayError {
    return { status: this.status, code: this.code, message: this.serverMessage, retryAfterSeconds: this.retryAfterSeconds };
  }

  describe(ctx: ErrorContext): string {
    return describeError(this.relayError, ctx);
  }
}

/** Builds an ApiError from a failed response, reading the JSON error body when there is one. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  let code: string | undefined;
  let message: string | undefined;
  try {
    const body = (await res.json()) as { error?: unknown; message?: unknown };
    if (typeof body.error === 'string') code = body.error;
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): the status alone must do.
  }
  return new ApiError(res.status, code, message, parseRetryAfter(res.headers.get('Retry-After')));
}

/** Asks the operator to confirm a second factor again; true when they did (see ui/step-up.ts). */
let stepUpHandler: (() => Promise<boolean>) | null = null;

export function onStepUpRequired(handler: () => Promise<boolean>): void {
  stepUpHandler = handler;
}

/** Like `send`, but a `step_up_required` refusal asks for the second factor and tries once more. */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  try {
    return await send<T>(method, path, body);
  } catch (ex) {
    if (!(ex instanceof ApiError) || ex.code !== 'step_up_required' || !stepUpHandler || !(await stepUpHandler())) throw ex;
    return send<T>(method, path, body);
  }
}

async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(undefined, 'network', undefined, undefined);
  }
  if (!res.ok) throw await errorFromResponse(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** A share of a terminal session (docs/API.md, "Sharing a session"). */
export interface ShareInfo {
  id: string;
  sessionId: string;
  deviceId: string;
  owner: string;
  mode: 'watch' | 'join';
  kind: 'link' | 'user';
  user?: string;
  expiresAt: string | null;
  /** Only in the answer that created a link. */
  link?: string;
}

export const shareApi = {
  create: (sessionId: string, body: { mode: 'watch' | 'join'; minutes?: number; user?: string }) =>
    request<ShareInfo>('POST', `/api/v1/sessions/${encodeURIComponent(sessionId)}/shares`, body),
  list: (sessionId: string) => request<{ shares: ShareInfo[] }>('GET', `/api/v1/sessions/${encodeURIComponent(sessionId)}/shares`),
  revoke: (sessionId: string, shareId: string) =>
    request<void>('DELETE', `/api/v1/sessions/${encodeURIComponent(sessionId)}/shares/${encodeURIComponent(shareId)}`),
  allowTyping: (sessionId: string, watcherId: string) =>
    request<void>('POST', `/api/v1/sessions/${encodeURIComponent(sessionId)}/watchers/${encodeURIComponent(watcherId)}/typing`, {}),
  removeWatcher: (sessionId: string, watcherId: string) =>
    request<void>('DELETE', `/api/v1/sessions/${encodeURIComponent(sessionId)}/watchers/${encodeURIComponent(watcherId)}`),
  sharedWithMe: () => request<ShareInfo[]>('GET', '/api/v1/shared-sessions'),
};

export const api = {
  login: (username: string, password: string) => request<LoginResult>('POST', '/api/v1/auth/login', { username, password }),
  logout: () => request<void>('POST', '/api/v1/auth/logout'),
  me: () => request<Me>('GET', '/api/v1/auth/me'),
  devices: () => request<Device[]>('GET', '/api/v1/devices'),
  device: (id: string) => request<Device>('GET', `/api/v1/devices/${encodeURIComponent(id)}`),
  sessions: (deviceId: string) => request<SessionInfo[]>('GET', `/api/v1/sessions?deviceId=${encodeURIComponent(deviceId)}`),
  endSession: (id: string) => request<void>('DELETE', `/api/v1/sessions/${encodeURIComponent(id)}`),
};

const enc = encodeURIComponent;

/** The administration calls (docs/API.md); the relay checks every right again. */
export const adminApi = {
  agentVersions: () => request<AgentVersionCount[]>('GET', '/api/v1/devices/agent-versions'),
  acceptDevice: (id: string) => request<Device>('POST', `/api/v1/devices/${enc(id)}/accept`),
  revokeDevice: (id: string) => request<Device>('POST', `/api/v1/devices/${enc(id)}/revoke`),
  forgetDevice: (id: string) => request<void>('DELETE', `/api/v1/devices/${enc(id)}`),
  relabelDevice: (id: string, labels: Record<string, string>) => request<Device>('PATCH', `/api/v1/devices/${enc(id)}`, { labels }),
  setFeatures: (id: string, change: Partial<DeviceFeatures> & { recording?: RecordingPolicy }) =>
    request<DeviceFeatures & { recording: RecordingPolicy }>('PATCH', `/api/v1/devices/${enc(id)}/features`, change),
  enrollments: () => request<EnrollmentToken[]>('GET', '/api/v1/enrollments'),
  createEnrollment: (body: { reusable: boolean; autoAccept: boolean; expiresInSeconds: number; labels: Record<string, string> }) =>
    request<EnrollmentToken>('POST', '/api/v1/enrollments', body),
  revokeEnrollment: (id: string) => request<void>('DELETE', `/api/v1/enrollments/${enc(id)}`),
  users: () => request<UserAccount[]>('GET', '/api/v1/users'),
  addUser: (body: { username: string; role: string; labels: Record<string, string>; password: string }) =>
    request<UserAccount>('POST', '/api/v1/users', body),
  changeUser: (username: string, body: { role?: string; labels?: Record<string, string> }) =>
    request<UserAccount>('PATCH', `/api/v1/users/${enc(username)}`, body),
  resetPassword: (username: string, password: string) => request<void>('PUT', `/api/v1/users/${enc(username)}/password`, { password }),
  removeUser: (username: string) => request<void>('DELETE', `/api/v1/users/${enc(username)}`),
  changeOwnPassword: (currentPassword: string, newPassword: string) =>
    request<void>('PUT', '/api/v1/account/password', { currentPassword, newPassword }),
  audit: (query: string) => request<AuditEvent[]>('GET', `/api/v1/audit?${query}`),
  recordings: (query: string) => request<Recording[]>('GET', `/api/v1/recordings?${query}`),
  searchRecordings: (query: string) => request<RecordingMatch[]>('GET', `/api/v1/recordings?${query}`),
};

export function castUrl(recordingId: string): string {
  return `/api/v1/recordings/${enc(recordingId)}/cast`;
}

/** Server-sent events of a running session's recording (admins). */
export function liveUrl(recordingId: string): string {
  return `/api/v1/recordings/${enc(recordingId)}/live`;
}

/** An open terminal session as GET /api/v1/sessions lists it. */
export interface SessionInfo {
  id: string;
  deviceId: string;
  operator: string;
  startedAt: string;
  /** False while the shell waits for its browser to come back (the resume grace). */
  attached: boolean;
}

/**
 * Asks /auth/me whether we are still logged in; used to explain a refused
 * websocket upgrade, whose HTTP status the browser hides.
 */
export async function checkAuth(): Promise<'ok' | 'unauthorized' | 'unknown'> {
  try {
    await api.me();
    return 'ok';
  } catch (e) {
    return e instanceof ApiError && e.status === 401 ? 'unauthorized' : 'unknown';
  }
}

/** The caller's saved device-list filters (docs/API.md). */
export const deviceFilterApi = {
  list: () => request<SavedFilter[]>('GET', '/api/v1/account/device-filters'),
  save: (name: string, filter: string) =>
    request<SavedFilter>('POST', '/api/v1/account/device-filters', { name, filter }),
  remove: (id: string) => request<void>('DELETE', `/api/v1/account/device-filters/${encodeURIComponent(id)}`),
};
