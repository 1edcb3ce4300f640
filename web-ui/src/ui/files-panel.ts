// Per-tab file transfer: upload (file input or drop on the panel) and download link.

import { ApiError } from '../api.ts';
import { baseName, filesUrl, joinRemotePath } from '../urls.ts';
import { uploadFile, UploadAborted, type Upload } from '../upload.ts';
import { h, setAttr } from './dom.ts';

export class FilesPanel {
  readonly el: HTMLElement;
  private readonly dirInput: HTMLInputElement;
  private readonly fileInput: HTMLInputElement;
  private readonly progress: HTMLProgressElement;
  private readonly cancelBtn: HTMLButtonElement;
  private readonly statusEl: HTMLElement;
  private readonly downloadInput: HTMLInputElement;
  private readonly downloadLink: HTMLAnchorElement;
  private current: Upload | null = null;
  private queue: File[] = [];

  constructor(
    private readonly deviceId: string,
    private readonly onAuthExpired: () => void,
  ) {
    const uid = Math.random().toString(36).slice(2, 8);
    this.dirInput = h('input', { class: 'upload-path', id: `up-dir-${uid}`, type: 'text', value: '/tmp', spellcheck: 'false', autocomplete: 'off' });
    this.fileInput = h('input', { class: 'upload-input', id: `up-file-${uid}`, type: 'file', multiple: true });
    this.progress = h('progress', { class: 'upload-progress', max: '1', value: '0', hidden: true, 'aria-label': 'Upload progress' });
    this.cancelBtn = h('button', { class: 'upload-cancel', type: 'button', disabled: true }, 'Cancel upload');
    this.statusEl = h('span', { class: 'upload-status', role: 'status', 'aria-live': 'polite' });
    this.downloadInput = h('input', { class: 'download-path', id: `down-${uid}`, type: 'text', placeholder: '/var/log/syslog', spellcheck: 'false', autocomplete: 'off' });
    this.downloadLink = h('a', { class: 'download-link button', 'aria-disabled': 'true', role: 'link', tabindex: '0' }, 'Download');

    this.el = h(
      'div',
      { class: 'files-panel', hidden: true, role: 'region', 'aria-label': 'File transfer' },
      h(
        'div',
        { class: 'files-row' },
        h('label', { for: this.dirInput.id }, 'Upload to directory'),
        this.dirInput,
        h('label', { for: this.fileInput.id, class: 'visually-hidden' }, 'Files to upload'),
        this.fileInput,
        this.progress,
        this.cancelBtn,
        this.statusEl,
      ),
      h('div', { class: 'files-row' }, h('label', { for: this.downloadInput.id }, 'Download file'), this.downloadInput, this.downloadLink),
      h('p', { class: 'files-hint' }, 'Tip: drop files onto the terminal to upload them to this directory.'),
    );

    this.fileInput.addEventListener('change', () => {
      this.enqueue([...(this.fileInput.files ?? [])]);
      this.fileInput.value = '';
    });
    this.cancelBtn.addEventListener('click', () => this.cancel());
    this.downloadInput.addEventListener('input', () => this.updateDownloadLink());
    this.downloadInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && this.downloadLink.href) this.downloadLink.click();
    });
    this.downloadLink.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !this.downloadLink.href) e.preventDefault();
    });
    this.updateDownloadLink();
  }

  get visible(): boolean {
    return !this.el.hidden;
  }

  toggle(show = this.el.hidden): void {
    this.el.hidden = !show;
    if (show) this.dirInput.focus();
  }

  /** Files dropped on the terminal panel. */
  enqueue(files: File[]): void {
    if (files.length === 0) return;
    this.el.hidden = false;
    this.queue.push(...files);
    if (!this.current) this.next();
  }

  cancel(): void {
    this.queue = [];
    this.current?.abort();
  }

  private next(): void {
    const file = this.queue.shift();
    if (!file) return;
    const path = joinRemotePath(this.dirInput.value, file.name);
    this.progress.hidden = false;
    this.progress.value = 0;
    this.cancelBtn.disabled = false;
    this.statusEl.textContent = `uploading ${file.name} to ${path}…`;
    const up = uploadFile(filesUrl(this.deviceId, path), file, (f) => (this.progress.value = f));
    this.current = up;
    up.done
      .then(() => {
        this.statusEl.textContent = `uploaded ${file.name}`;
      })
      .catch((e: unknown) => {
        if (e instanceof UploadAborted) {
          this.statusEl.textContent = `upload of ${file.name} cancelled`;
        } else if (e instanceof ApiError) {
          if (e.status === 401) this.onAuthExpired();
          this.statusEl.textContent = `upload of ${file.name} failed: ${e.describe('files')}`;
        } else {
          this.statusEl.textContent = `upload of ${file.name} failed`;
        }
      })
      .finally(() => {
        this.current = null;
        this.cancelBtn.disabled = true;
        this.progress.hidden = true;
        this.next();
      });
  }

  private updateDownloadLink(): void {
    const path = this.downloadInput.value.trim();
    if (path.startsWith('/') && !path.endsWith('/')) {
      setAttr(this.downloadLink, 'href', filesUrl(this.deviceId, path));
      setAttr(this.downloadLink, 'download', baseName(path));
      this.downloadLink.removeAttribute('aria-disabled');
      this.downloadLink.title = `Download ${path}`;
    } else {
      this.downloadLink.removeAttribute('href');
      this.downloadLink.removeAttribute('download');
      this.downloadLink.setAttribute('aria-disabled', 'true');
      this.downloadLink.title = 'Enter an absolute file path';
    }
  }
}
