// The "Run" view: one command on the devices a label selector (or a list) chooses. A dry run lists
// them first; a run's results table fills in live from the relay's event stream, each row with the
// last lines of output and links to the full output.

import { errorFromResponse } from '../api.ts';
import { h } from '../ui/dom.ts';
import { type DeviceResult, RunResults, formatExit, formatMillis } from './run-results.ts';
import { type AdminView, type ViewContext, StatusLine, button, field, input, section, table } from './kit.ts';

const enc = encodeURIComponent;

export class Runs implements AdminView {
  private readonly status = new StatusLine();
  private readonly results = h('div', { id: 'run-results' });
  private readonly summary = h('p', { id: 'run-summary', role: 'status' });
  private readonly fields = {
    selector: input({ name: 'selector', placeholder: 'env=prod,site=berlin,!canary' }),
    devices: input({ name: 'devices', placeholder: 'or device ids: dev-1,dev-2' }),
    command: input({ name: 'command', placeholder: 'uname -a', required: true }),
    concurrency: input({ name: 'concurrency', type: 'number', min: '1', max: '64', value: '10' }),
    timeout: input({ name: 'timeoutSeconds', type: 'number', min: '1', value: '60' }),
    stopAfter: input({ name: 'stopAfterFailures', type: 'number', min: '0', value: '0' }),
  };
  private readonly cancel = button('Cancel run', { id: 'run-cancel', hidden: true });
  private events: EventSource | null = null;
  private runId: string | null = null;
  readonly el: HTMLElement;

  constructor(private readonly ctx: ViewContext) {
    const f = this.fields;
    const dry = button('Dry run', { id: 'run-dry' });
    const form = h(
      'form',
      { class: 'admin-form', id: 'run-form', 'aria-label': 'Run a command on many devices' },
      field('Selector', f.selector),
      field('Devices', f.devices),
      field('Command', f.command),
      field('Concurrency', f.concurrency),
      field('Timeout per device (s)', f.timeout),
      field('Stop after failures (0: never)', f.stopAfter),
      h('button', { type: 'submit', id: 'run-start' }, 'Run'),
      dry,
      this.cancel,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.start(false);
    });
    dry.addEventListener('click', () => void this.start(true));
    this.cancel.addEventListener('click', () => void this.stop());
    this.el = section('runs', 'Run a command', form, this.status.el, this.summary, this.results);
  }

  async show(): Promise<void> {}

  private body(dryRun: boolean): Record<string, unknown> {
    const f = this.fields;
    const devices = f.devices.value.split(',').map((d) => d.trim()).filter((d) => d !== '');
    const target = devices.length > 0 ? { devices } : { selector: f.selector.value.trim() };
    return {
      ...target,
      command: f.command.value,
      concurrency: Number(f.concurrency.value),
      timeoutSeconds: Number(f.timeout.value),
      stopAfterFailures: Number(f.stopAfter.value),
      dryRun,
    };
  }

  private async start(dryRun: boolean): Promise<void> {
    this.events?.close();
    await this.status.run(this.ctx, async () => {
      const res = await fetch('/api/v1/runs', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
        body: JSON.stringify(this.body(dryRun)),
      });
      if (!res.ok) throw await errorFromResponse(res);
      const answer = await res.json();
      if (dryRun) {
        this.showDryRun(answer.devices as { device: string; status: string; message: string | null }[]);
      } else {
        this.follow(answer.summary.id as string, answer.devices as DeviceResult[]);
      }
    });
  }

  private showDryRun(devices: { device: string; status: string; message: string | null }[]): void {
    const would = devices.filter((d) => d.status === 'would_run').length;
    this.summary.textContent = `Dry run: ${would} of ${devices.length} devices would run the command.`;
    this.results.replaceChildren(
      table('Devices the run would reach', ['Device', 'Status', 'Why'],
        devices.map((d) => h('tr', { 'data-device': d.device }, h('td', {}, d.device), h('td', {}, d.status), h('td', {}, d.message ?? '')))),
    );
  }

  /** Shows the run's devices and keeps each row current from the event stream until the summary. */
  private follow(id: string, initial: DeviceResult[]): void {
    this.runId = id;
    const results = new RunResults();
    const body = h('tbody');
    const grid = table(`Results of run ${id}`, ['Device', 'Status', 'Exit', 'Duration', 'Output (last lines)'], []);
    grid.id = 'run-table';
    grid.querySelector('tbody')!.replaceWith(body);
    this.results.replaceChildren(grid);
    const render = (r: DeviceResult) => {
      const isNew = results.apply(r);
      const row = this.row(id, r);
      if (isNew) body.append(row);
      else body.querySelector(`tr[data-device="${CSS.escape(r.device)}"]`)?.replaceWith(row);
      this.summary.textContent = `Run ${id}: ${results.summary()}`;
    };
    initial.forEach(render);
    this.cancel.hidden = false;
    const events = new EventSource(`/api/v1/runs/${enc(id)}/events`, { withCredentials: true });
    this.events = events;
    events.addEventListener('device', (e) => render(JSON.parse((e as MessageEvent).data) as DeviceResult));
    events.addEventListener('summary', (e) => {
      const s = JSON.parse((e as MessageEvent).data);
      this.summary.textContent = `Run ${id} ${s.state}: ${results.summary()}${s.succeeded ? ' — all succeeded' : ''}`;
      this.cancel.hidden = true;
      events.close();
    });
    events.onerror = () => {
      if (events.readyState === EventSource.CLOSED) this.status.say('The result stream ended; reload the view to see the rest.', 'error');
    };
  }

  private row(id: string, r: DeviceResult): HTMLTableRowElement {
    const output = h('pre', { class: 'run-output' }, [r.stdout, r.stderr].filter((t) => t !== '').join('\n') || (r.message ?? ''));
    const links = r.status === 'pending' || r.status === 'running' ? [] : [
      h('a', { href: `/api/v1/runs/${enc(id)}/devices/${enc(r.device)}/output?stream=stdout`, download: '' }, 'stdout'),
      ' ',
      h('a', { href: `/api/v1/runs/${enc(id)}/devices/${enc(r.device)}/output?stream=stderr`, download: '' }, 'stderr'),
    ];
    return h(
      'tr',
      { 'data-device': r.device, 'data-status': r.status },
      h('td', {}, r.device),
      h('td', {}, r.status.replace('_', ' ')),
      h('td', {}, formatExit(r)),
      h('td', {}, formatMillis(r.durationMs)),
      h('td', {}, output, ...links),
    );
  }

  private async stop(): Promise<void> {
    if (!this.runId) return;
    const id = this.runId;
    await this.status.run(this.ctx, async () => {
      const res = await fetch(`/api/v1/runs/${enc(id)}`, { method: 'DELETE', credentials: 'same-origin' });
      if (!res.ok) throw await errorFromResponse(res);
    }, 'Cancelling: running commands are ended, no more start.');
  }
}
