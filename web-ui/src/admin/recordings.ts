// Recorded browser-terminal sessions: list with filters, play in the console (asciinema-player:
// play, pause, seek and its keyboard shortcuts, plus a speed choice), download the .cast, or save
// its plain text. Admins see every recording, others their own (the relay decides).

import * as AsciinemaPlayer from 'asciinema-player';
import { adminApi, castUrl, errorFromResponse, type Recording } from '../api.ts';
import { h } from '../ui/dom.ts';
import { castToText, formatBytes, formatDuration, localToIso } from './logic.ts';
import { type AdminView, type ViewContext, StatusLine, button, cells, download, field, input, section, select, table, when } from './kit.ts';

const SPEEDS = ['0.5', '1', '2', '4'];

export class Recordings implements AdminView {
  private readonly status = new StatusLine();
  private readonly results = h('div');
  private readonly stage = h('div', { class: 'player-stage', id: 'player', 'aria-label': 'Recording player' });
  private readonly speed = select('speed', SPEEDS, '1', 'Playback speed');
  private readonly playerBox = h(
    'div',
    { class: 'player-box', hidden: true },
    h('h3', { id: 'player-title' }),
    h('div', { class: 'actions' }, field('Speed', this.speed)),
    this.stage,
  );
  private readonly fields = {
    deviceId: input({ name: 'deviceId' }),
    operator: input({ name: 'operator' }),
    from: input({ name: 'from', type: 'datetime-local' }),
    to: input({ name: 'to', type: 'datetime-local' }),
  };
  private player: AsciinemaPlayer.Player | null = null;
  private playing: Recording | null = null;
  readonly el: HTMLElement;

  constructor(private readonly ctx: ViewContext, isAdmin: boolean) {
    const f = this.fields;
    const form = h(
      'form',
      { class: 'admin-form', id: 'recording-filter', 'aria-label': 'Filter recordings' },
      field('Device id', f.deviceId),
      ...(isAdmin ? [field('Operator', f.operator)] : []),
      field('From', f.from),
      field('To', f.to),
      h('button', { type: 'submit' }, 'Search'),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.show();
    });
    // The player takes its speed at creation: start a new one where the old one was.
    this.speed.addEventListener('change', () => {
      if (this.playing) this.play(this.playing, this.player?.getCurrentTime() ?? 0);
    });
    this.el = section(
      'recordings',
      'Recordings',
      h('p', { class: 'muted' }, 'Browser terminal sessions on devices whose recording is on. Native SSH sessions cannot be recorded: the relay sees only their ciphertext.'),
      form,
      this.status.el,
      this.results,
      this.playerBox,
    );
  }

  async show(): Promise<void> {
    const params = new URLSearchParams();
    const f = this.fields;
    for (const [k, v] of [['deviceId', f.deviceId.value.trim()], ['operator', f.operator.value.trim()], ['from', localToIso(f.from.value)], ['to', localToIso(f.to.value)]]) {
      if (v) params.set(k, v);
    }
    let list: Recording[] = [];
    if (!(await this.status.run(this.ctx, async () => (list = await adminApi.recordings(params.toString()))))) return;
    this.status.say(`${list.length} recording${list.length === 1 ? '' : 's'}.`);
    this.results.replaceChildren(
      table('Recordings', ['Started', 'Device', 'Operator', 'Length', 'Size', 'Actions'], list.map((r) => this.row(r))),
    );
  }

  private row(r: Recording): HTMLTableRowElement {
    const name = `${r.deviceId} at ${when(r.startedAt)}`;
    const play = button('Play', { 'aria-label': `Play ${name}`, 'data-action': 'play' });
    play.addEventListener('click', () => this.play(r, 0));
    const text = button('Text', { 'aria-label': `Save the text of ${name}` });
    text.addEventListener('click', () => void this.saveText(r));
    const cast = h('a', { href: castUrl(r.id), download: `${r.sessionId}.cast`, 'aria-label': `Download ${name} as .cast` }, '.cast');
    const tr = cells(when(r.startedAt), r.deviceId, r.operator, formatDuration(r.startedAt, r.endedAt), formatBytes(r.bytes), h('div', { class: 'actions' }, play, text, cast));
    tr.dataset.recordingId = r.id;
    return tr;
  }

  private play(r: Recording, at: number): void {
    this.player?.dispose();
    this.playing = r;
    this.playerBox.hidden = false;
    this.stage.dataset.state = 'loading';
    (this.playerBox.querySelector('#player-title') as HTMLElement).textContent = `${r.deviceId} · ${r.operator} · ${when(r.startedAt)}`;
    const player = AsciinemaPlayer.create({ url: castUrl(r.id), fetchOpts: { credentials: 'same-origin' } }, this.stage, {
      autoPlay: true,
      startAt: at,
      speed: Number(this.speed.value),
      idleTimeLimit: 2, // long pauses in a shell session are seconds of nothing to watch
      fit: 'width',
      logger: this.playerLogger(),
    });
    player.addEventListener('playing', () => (this.stage.dataset.state = 'playing'));
    player.addEventListener('pause', () => (this.stage.dataset.state = 'paused'));
    player.addEventListener('ended', () => (this.stage.dataset.state = 'ended'));
    this.player = player;
    this.playerBox.scrollIntoView({ block: 'nearest' });
  }

  /** The player's own errors (a recording it cannot fetch or parse) go to the status line. */
  private playerLogger(): AsciinemaPlayer.Logger {
    const quiet = () => {};
    return {
      log: quiet,
      debug: quiet,
      info: quiet,
      warn: quiet,
      error: (...args: unknown[]) => this.status.say(`The recording could not be played: ${args.map(String).join(' ')}`, 'error'),
    };
  }

  private async saveText(r: Recording): Promise<void> {
    let cast = '';
    const ok = await this.status.run(this.ctx, async () => {
      const res = await fetch(castUrl(r.id), { credentials: 'same-origin' });
      if (!res.ok) throw await errorFromResponse(res);
      cast = await res.text();
    });
    if (ok) download(`${r.sessionId}.txt`, castToText(cast), 'text/plain');
  }
}
