// The audit log, for admins: filter by operator, device, event and time, page back, export what
// the filter selects as JSON lines. An event about a recorded session has a link that plays it.

import { adminApi, type AuditEvent } from '../api.ts';
import { h } from '../ui/dom.ts';
import { type AuditFilter, auditQuery, localToIso, toJsonLines } from './logic.ts';
import { type AdminView, type ViewContext, StatusLine, button, cells, download, field, input, section, table, when } from './kit.ts';

const PAGE = 50;
/** An export reads at most this many events (1000 per request). */
const EXPORT_MAX = 100_000;

export class Audit implements AdminView {
  private readonly status = new StatusLine();
  private readonly results = h('div');
  private readonly fields = {
    operator: input({ name: 'operator' }),
    deviceId: input({ name: 'deviceId' }),
    event: input({ name: 'event', placeholder: 'login.failed' }),
    from: input({ name: 'from', type: 'datetime-local' }),
    to: input({ name: 'to', type: 'datetime-local' }),
  };
  /** Cursors of the pages shown so far: the `before` each one was asked with. */
  private pages: (number | undefined)[] = [undefined];
  private lastPage: AuditEvent[] = [];
  private readonly prev = button('Newer', { id: 'audit-newer' });
  private readonly next = button('Older', { id: 'audit-older' });
  readonly el: HTMLElement;

  constructor(private readonly ctx: ViewContext, private readonly playRecording: (recordingId: string) => void) {
    const f = this.fields;
    const form = h(
      'form',
      { class: 'admin-form', id: 'audit-filter', 'aria-label': 'Filter the audit log' },
      field('Operator', f.operator),
      field('Device id', f.deviceId),
      field('Event', f.event),
      field('From', f.from),
      field('To', f.to),
      h('button', { type: 'submit' }, 'Search'),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.pages = [undefined];
      void this.load();
    });
    this.prev.addEventListener('click', () => {
      if (this.pages.length > 1) this.pages.pop();
      void this.load();
    });
    this.next.addEventListener('click', () => {
      const oldest = this.lastPage.at(-1);
      if (oldest) this.pages.push(oldest.id);
      void this.load();
    });
    const exporter = button('Export as JSON lines', { id: 'audit-export' });
    exporter.addEventListener('click', () => void this.export());
    const pager = h('div', { class: 'actions', role: 'group', 'aria-label': 'Pages' }, this.prev, this.next, exporter);
    this.el = section('audit', 'Audit', form, this.status.el, this.results, pager);
  }

  async show(): Promise<void> {
    this.pages = [undefined];
    await this.load();
  }

  private filter(): AuditFilter {
    const f = this.fields;
    return { operator: f.operator.value, deviceId: f.deviceId.value, event: f.event.value, from: localToIso(f.from.value), to: localToIso(f.to.value) };
  }

  private async load(): Promise<void> {
    const before = this.pages.at(-1);
    let events: AuditEvent[] = [];
    if (!(await this.status.run(this.ctx, async () => (events = await adminApi.audit(auditQuery(this.filter(), PAGE, before)))))) return;
    this.lastPage = events;
    this.prev.disabled = this.pages.length <= 1;
    this.next.disabled = events.length < PAGE;
    this.status.say(`${events.length} event${events.length === 1 ? '' : 's'} on page ${this.pages.length}.`);
    this.results.replaceChildren(
      table(
        'Audit events',
        ['Time', 'Event', 'Operator', 'Device', 'Address', 'Detail', 'Recording'],
        events.map((e) => {
          const tr = cells(when(e.at), e.event, e.actor ?? '', e.deviceId ?? '', e.remoteIp ?? '', e.detail ?? '', this.recordingLink(e));
          tr.dataset.event = e.event;
          return tr;
        }),
      ),
    );
  }

  private recordingLink(e: AuditEvent): Node | string {
    const id = e.recordingId;
    if (!id) return '';
    const play = button('Play', { 'aria-label': `Play the recording of ${e.event} at ${when(e.at)}`, 'data-action': 'play-recording' });
    play.addEventListener('click', () => this.playRecording(id));
    return play;
  }

  /** Every event the filter selects, newest first, one JSON object a line. */
  private async export(): Promise<void> {
    const all: AuditEvent[] = [];
    const ok = await this.status.run(this.ctx, async () => {
      let before: number | undefined;
      while (all.length < EXPORT_MAX) {
        const page = await adminApi.audit(auditQuery(this.filter(), 1000, before));
        all.push(...page);
        if (page.length < 1000) break;
        before = page[page.length - 1].id;
      }
    });
    if (!ok) return;
    download(`audit-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.jsonl`, toJsonLines(all), 'application/x-ndjson');
    this.status.say(`Exported ${all.length} events.`);
  }
}
