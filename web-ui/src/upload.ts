// File upload with progress and cancel. XMLHttpRequest, because fetch()
// still has no upload progress events; the File is sent as the raw body.

import { ApiError } from './api.ts';
import { parseRetryAfter } from './errors.ts';

export interface Upload {
  done: Promise<void>;
  abort(): void;
}

export class UploadAborted extends Error {
  constructor() {
    super('upload cancelled');
    this.name = 'UploadAborted';
  }
}

/** Parses a failed XHR into an ApiError (JSON error body when there is one). */
export function errorFromXhr(status: number, body: string, retryAfter: string | null): ApiError {
  let code: string | undefined;
  let message: string | undefined;
  try {
    const j = JSON.parse(body) as { error?: unknown; message?: unknown };
    if (typeof j.error === 'string') code = j.error;
    if (typeof j.message === 'string') message = j.message;
  } catch {
    // not JSON
  }
  return new ApiError(status || undefined, code, message, parseRetryAfter(retryAfter));
}

export function uploadFile(url: string, file: Blob, onProgress: (fraction: number) => void): Upload {
  const xhr = new XMLHttpRequest();
  const done = new Promise<void>((resolve, reject) => {
    xhr.open('PUT', url);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else {
        reject(errorFromXhr(xhr.status, xhr.responseText, xhr.getResponseHeader('Retry-After')));
      }
    };
    xhr.onerror = () => reject(new ApiError(undefined, 'network', undefined, undefined));
    xhr.onabort = () => reject(new UploadAborted());
    xhr.send(file);
  });
  return { done, abort: () => xhr.abort() };
}
