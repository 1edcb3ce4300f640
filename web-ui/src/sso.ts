// Single sign-on: whether the relay offers it, and what the login page shows for it.

import { request } from './api.ts';

export interface SsoInfo {
  provider: string;
  passwordLogin: boolean;
}

/** Where the browser goes to sign in; the relay sends it on to the provider and back to the console. */
export const SSO_START = '/api/v1/auth/oidc/start';

/** What the relay says about its SSO; null when it has none (the route is not there). */
export async function fetchSso(): Promise<SsoInfo | null> {
  try {
    return await request<SsoInfo>('GET', '/api/v1/auth/oidc');
  } catch {
    return null;
  }
}

/**
 * Step-up for an account of the identity provider: a fresh sign-in there (the relay asks it with
 * prompt=login). Null for local accounts, which confirm with their own code or passkey.
 */
export function stepUpSso(info: SsoInfo | null, accountBySso: boolean): { href: string; text: string } | null {
  if (!info || !accountBySso) return null;
  return { href: `${SSO_START}?step_up=1`, text: `Sign in again with ${info.provider}` };
}

/** The button's words and the note under the password form (empty when password login is open to all). */
export function ssoView(info: SsoInfo): { button: string; passwordNote: string } {
  return {
    button: `Sign in with ${info.provider}`,
    passwordNote: info.passwordLogin ? '' : 'Password login is for emergency accounts only.',
  };
}
