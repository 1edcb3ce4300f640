// Passkeys (WebAuthn): each ceremony asks the relay for options, lets the browser talk to the
// authenticator (@simplewebauthn/browser does the encoding), then sends the answer back.

import {
  startAuthentication,
  startRegistration,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import { request, type LoginResult } from './api.ts';

interface Ceremony<T> {
  ceremonyId: string;
  publicKey: T;
}

export interface PasskeyInfo {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** Registering answers with the key, and a login (token) when it was the account's first factor. */
export interface PasskeyRegistered extends Partial<LoginResult> {
  id?: string;
  name?: string;
}

async function assertion(optionsPath: string, optionsBody: unknown): Promise<{ ceremonyId: string; credential: unknown }> {
  const c = await request<Ceremony<PublicKeyCredentialRequestOptionsJSON>>('POST', optionsPath, optionsBody);
  return { ceremonyId: c.ceremonyId, credential: await startAuthentication({ optionsJSON: c.publicKey }) };
}

export const passkeyApi = {
  list: () => request<PasskeyInfo[]>('GET', '/api/v1/account/mfa/passkeys'),
  remove: (id: string) => request<void>('DELETE', `/api/v1/account/mfa/passkeys/${encodeURIComponent(id)}`),
  async register(name: string): Promise<PasskeyRegistered> {
    const c = await request<Ceremony<PublicKeyCredentialCreationOptionsJSON>>('POST', '/api/v1/account/mfa/passkeys/options', {});
    const credential = await startRegistration({ optionsJSON: c.publicKey });
    return request<PasskeyRegistered>('POST', '/api/v1/account/mfa/passkeys', { ceremonyId: c.ceremonyId, name, credential });
  },
  /** Passwordless: the key says whose account it is. */
  async login(): Promise<LoginResult> {
    return request<LoginResult>('POST', '/api/v1/auth/passkey', await assertion('/api/v1/auth/passkey/options', {}));
  },
  /** The login's second step, after the password. */
  async secondFactor(mfaToken: string): Promise<LoginResult> {
    const answer = await assertion('/api/v1/auth/mfa/passkey/options', { mfaToken });
    return request<LoginResult>('POST', '/api/v1/auth/mfa/passkey', { mfaToken, ...answer });
  },
  async stepUp(): Promise<LoginResult> {
    return request<LoginResult>('POST', '/api/v1/auth/step-up', await assertion('/api/v1/auth/step-up/options', {}));
  },
  stepUpWithCode: (code: string) => request<LoginResult>('POST', '/api/v1/auth/step-up', { code }),
};

/** Words for a failed ceremony: the browser's own errors (cancelled, timed out) or the relay's. */
export function passkeyError(ex: unknown, fallback: string): string {
  if (ex instanceof Error && ex.name === 'NotAllowedError') return 'The passkey request was cancelled or timed out';
  if (ex instanceof Error && 'serverMessage' in ex && typeof ex.serverMessage === 'string') return ex.serverMessage;
  return ex instanceof Error && ex.message ? ex.message : fallback;
}
