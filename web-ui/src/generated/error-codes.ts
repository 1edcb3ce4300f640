// Generated from devicetunnel.protocol.ErrorCode by ErrorCodeTable: do not edit.
// Regenerate with `make error-codes`; ErrorCodeTableTest fails while this file differs.

export interface ErrorCodeInfo {
  /** HTTP status; for a named close, what it would be over HTTP. */
  readonly status: number;
  /** Websocket close code: 4000 + status for errors, 4001-4099 for named closes. */
  readonly close: number;
  /** The relay's default words. */
  readonly message: string;
}

export const ERROR_CODES = {
  bad_request: { status: 400, close: 4400, message: "The request is malformed." },
  unauthorized: { status: 401, close: 4401, message: "Authentication required or credentials invalid." },
  forbidden: { status: 403, close: 4403, message: "You are not allowed to do this." },
  not_found: { status: 404, close: 4404, message: "No such resource." },
  auth_timeout: { status: 408, close: 4408, message: "Authentication took too long." },
  idle_timeout: { status: 408, close: 4408, message: "The session was idle too long." },
  conflict: { status: 409, close: 4409, message: "Too many sessions are open." },
  session_expired: { status: 408, close: 4408, message: "The session ended: it was idle or open for too long." },
  payload_too_large: { status: 413, close: 4413, message: "The message is too large." },
  too_many_requests: { status: 429, close: 4429, message: "Too many requests; slow down." },
  internal: { status: 500, close: 4500, message: "Internal error." },
  device_unreachable: { status: 502, close: 4502, message: "The device is offline or unreachable." },
  host_key_mismatch: { status: 502, close: 4502, message: "The device's host key does not match the one on record." },
  relay_key_mismatch: { status: 403, close: 4403, message: "The device refused the relay's keys: they differ from the ones pinned at enrollment." },
  service_unavailable: { status: 503, close: 4503, message: "The relay is shutting down or not ready." },
  store_unavailable: { status: 503, close: 4503, message: "The relay's store is unavailable; try again." },
  recording_failed: { status: 503, close: 4503, message: "This device requires session recording, and the recording could not be written." },
  device_timeout: { status: 504, close: 4504, message: "The device did not answer in time." },
  insufficient_storage: { status: 507, close: 4507, message: "The relay's disk is full; nothing was saved." },
  step_up_required: { status: 403, close: 4403, message: "This device requires you to confirm your second factor again." },
  link_replaced: { status: 409, close: 4001, message: "Replaced by a newer link for this device." },
  session_moved: { status: 409, close: 4002, message: "This session was opened in another tab or window." },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCodeName = keyof typeof ERROR_CODES;

/** Closes that are not errors, by close code. */
export const NAMED_CLOSES: Readonly<Record<number, ErrorCodeName>> = {
  4001: "link_replaced",
  4002: "session_moved",
};
