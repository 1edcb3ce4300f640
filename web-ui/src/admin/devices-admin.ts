// Devices, for admins: pending ones first with their host-key fingerprint (compare it with
// `ssh-keygen -lf` on the device before accepting), then the rest; labels, feature switches,
// recording policy, accept / revoke / forget.

import { api, adminApi, type Device, type RecordingPolicy } from '../api.ts';
import { h } from '../ui/dom.ts';
import { describeEffectiveRecording, formatLabels, parseLabels } from './logic.ts';
import { type AdminView, type ViewContext, StatusLine, button, cells, input, section, select, table } from './kit.ts';

const SWITCHES = ['sftp', 'exec', 'forwarding', 'webApps'] as const;

export class DevicesAdmin implements AdminView {
  private readonly status = new StatusLine();
  private readonly body = h('div');
  readonly el = section('devices-admin', 'Manage devices', this.status.el, this.body);

  constructor(private readonly ctx: ViewContext) {}

  async show(): Promise<void> {
    let list: Device[] = [];
    if (!(await this.status.run(this.ctx, async () => (list = await api.devices())))) return;
    const pending = list.filter((d) => d.status === 'pending');
    const others = list.filter((d) => d.status !== 'pending');
    this.body.replaceChildren(
      h('h3', {}, `Pending (${pending.length})`),
      pending.length
        ? table('Pending devices', ['Device', 'Host key fingerprint', 'Labels', 'Actions'], pending.map((d) => this.pendingRow(d)))
        : h('p', { class: 'muted' }, 'No device waits for acceptance.'),
      h('h3', {}, `Enrolled (${others.length})`),
      table('Enrolled devices', ['Device', 'Status', 'Labels', 'Features', 'Recording', 'Actions'], others.map((d) => this.row(d))),
    );
  }

  private pendingRow(d: Device): HTMLTableRowElement {
    const tr = cells(name(d), h('code', { class: 'fingerprint' }, d.hostKeyFingerprint ?? 'not yet known'), formatLabels(d.labels), this.actions(d));
    tr.dataset.deviceId = d.id;
    return tr;
  }

  private row(d: Device): HTMLTableRowElement {
    const features = h(
      'div',
      { class: 'switches', role: 'group', 'aria-label': `Features of ${d.id}` },
      ...SWITCHES.map((f) => {
        const box = input({ type: 'checkbox', role: 'switch', name: f });
        box.checked = d.features?.[f] ?? false;
        box.addEventListener('change', () =>
          void this.status.run(this.ctx, () => adminApi.setFeatures(d.id, { [f]: box.checked }), `${d.id}: ${f} ${box.checked ? 'on' : 'off'}.`),
        );
        return h('label', { class: 'switch' }, box, f);
      }),
    );
    const recording = select('recording', ['off', 'on', 'required'], d.recording ?? 'off', `Recording policy of ${d.id}`);
    recording.addEventListener('change', () =>
      void this.status.run(
        this.ctx,
        () => adminApi.setFeatures(d.id, { recording: recording.value as RecordingPolicy }),
        `${d.id}: recording ${recording.value} from its next session.`,
      ),
    );
    // What applies after the relay's label and input rules (the select is the device's own setting).
    const effective = d.recordingEffective
      ? h('div', { class: 'muted effective-recording' }, describeEffectiveRecording(d.recordingEffective))
      : '';
    const tr = cells(name(d), d.status ?? '', this.labelEditor(d), features, h('div', {}, recording, effective), this.actions(d));
    tr.dataset.deviceId = d.id;
    return tr;
  }

  private labelEditor(d: Device): HTMLElement {
    const text = input({ name: 'labels', value: formatLabels(d.labels), 'aria-label': `Labels of ${d.id}`, placeholder: 'key=value,…' });
    const form = h('form', { class: 'inline-form' }, text, h('button', { type: 'submit' }, 'Save'));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.status.run(this.ctx, () => adminApi.relabelDevice(d.id, parseLabels(text.value)), `${d.id}: labels saved.`);
    });
    return form;
  }

  private actions(d: Device): HTMLElement {
    const box = h('div', { class: 'actions' });
    const act = (label: string, what: () => Promise<unknown>, done: string, confirmText?: string) => {
      const b = button(label, { 'aria-label': `${label} ${d.id}`, 'data-action': label.toLowerCase() });
      b.addEventListener('click', async () => {
        if (confirmText && !navigator.webdriver && !window.confirm(confirmText)) return;
        if (await this.status.run(this.ctx, what, done)) await this.show();
      });
      box.append(b);
    };
    if (d.status === 'pending') act('Accept', () => adminApi.acceptDevice(d.id), `${d.id} accepted.`);
    if (d.status !== 'revoked') act('Revoke', () => adminApi.revokeDevice(d.id), `${d.id} revoked.`, `Revoke ${d.id}? Its link and sessions end now.`);
    act('Forget', () => adminApi.forgetDevice(d.id), `${d.id} forgotten; it may enroll again.`, `Forget ${d.id}?`);
    return box;
  }
}

function name(d: Device): HTMLElement {
  return h('span', {}, h('strong', {}, d.name), d.name !== d.id ? ` (${d.id})` : '', d.online ? ' · online' : ' · offline');
}
