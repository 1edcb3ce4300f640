// Second factors: the login's code step and the account's own TOTP factor.

import { request, type LoginResult } from './api.ts';

export interface MfaStatus {
  totp: boolean;
  recoveryCodesLeft: number;
  required: boolean;
}

export interface TotpEnrolment {
  secret: string;
  uri: string;
}

/** Confirming answers with the recovery codes (shown once) and a login that counts as two-factor. */
export interface TotpConfirmed extends LoginResult {
  recoveryCodes: string[];
}

export const identityApi = {
  secondFactor: (mfaToken: string, code: string) => request<LoginResult>('POST', '/api/v1/auth/mfa', { mfaToken, code }),
  mfaStatus: () => request<MfaStatus>('GET', '/api/v1/account/mfa'),
  beginTotp: () => request<TotpEnrolment>('POST', '/api/v1/account/mfa/totp', {}),
  confirmTotp: (code: string) => request<TotpConfirmed>('POST', '/api/v1/account/mfa/totp/confirm', { code }),
  removeTotp: (code: string) => request<void>('DELETE', '/api/v1/account/mfa/totp', { code }),
};
