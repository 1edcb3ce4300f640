// Recorded browser-terminal sessions: list with filters or search their text, play in the console
// (asciinema-player: play, pause, seek and its keyboard shortcuts, plus a speed choice; a search
// result plays from its match; "Next input" plays from the next burst of typing, in recordings
// that keep keystrokes), watch a running one live (admins), download the .cast, or save its plain text. Admins see every recording, others their own (the relay decides). The player is
// loaded on first use, so the console's first page load does not carry it.

import type * as AsciinemaPlayer from 'asciinema-player';
import { adminApi, castUrl, errorFromResponse, liveUrl, type Recording, type RecordingMatch } from '../api.ts';
import { h } from '../ui/dom.ts';
import { castToText, formatBytes, formatDuration, formatOffset, inputStarts, localToIso, nextInputAt } from './logic.ts';
import { type AdminView, type ViewContext, StatusLine, button, cells, download, field, input, section, select, table, when } from './kit.ts';

const SPEEDS = ['0.5', '1', '2', '4'];
/** A search result plays from a little before its match, so the command that printed it shows. */
const LEAD_IN_SECONDS = 1;

/** What the player is showing: a recording from a time, or a running session live. */
type Playing = { recording: Recording; live: boolean };
/** The player's eventsource driver, which its type declarations leave out (see its README: live streaming). */
type EventSourceSource = AsciinemaPlayer.UrlSource & { driver: 'eventsource'; bufferTime: number };

export class Recordings implements AdminView {
  private readonly status = new StatusLine();
  private readonly results = h('div');
  private readonly stage = h('div', { class: 'player-stage', id: 'player', 'aria-label': 'Recording player' });
  private readonly speed = select('speed', SPEEDS, '1', 'Playback speed');
  private readonly nextInput = button('Next input', { 'data-action': 'next-input', title: 'Play from the next keystrokes typed' });
  private readonly playerBox = h(
    'div',
    { class: 'player-box', hidden: true },
    h('h3', { id: 'player-title' }),
    h('div', { class: 'actions' }, field('Speed', this.speed), this.nextInput),
    this.stage,
  );
  private readonly fields = {
    deviceId: input({ name: 'deviceId' }),
    operator: input({ name: 'operator' }),
    from: input({ name: 'from', type: 'datetime-local' }),
    to: input({ name: 'to', type: 'datetime-local' }),
    q: input({ name: 'q', type: 'search', placeholder: 'text the session printed' }),
  };
  private player: AsciinemaPlayer.Player | null = null;
  private playing: Playing | null = null;
  /** Where typing starts in the recording playing (raw seconds), fetched on the first "Next input". */
  private inputs: { id: string; starts: number[] } | null = null;
  /** Where the player's timeline starts on the raw one; playing from 0 shortens pauses, so it says "unknown". */
  private rawOffset: number | null = null;
  readonly el: HTMLElement;

  constructor(private readonly ctx: ViewContext, private readonly isAdmin: boolean) {
    const f = this.fields;
    const form = h(
      'form',
      { class: 'admin-form', id: 'recording-filter', 'aria-label': 'Filter recordings' },
      field('Device id', f.deviceId),
      ...(isAdmin ? [field('Operator', f.operator)] : []),
      field('From', f.from),
      field('To', f.to),
      field('Text', f.q),
      h('button', { type: 'submit' }, 'Search'),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.show();
    });
    // The player takes its speed at creation: start a new one where the old one was.
    this.nextInput.addEventListener('click', () => void this.playNextInput());
    this.speed.addEventListener('change', () => {
      if (this.playing && !this.playing.live) void this.play(this.playing.recording, this.player?.getCurrentTime() ?? 0);
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
    const q = f.q.value.trim();
    for (const [k, v] of [['deviceId', f.deviceId.value.trim()], ['operator', f.operator.value.trim()], ['from', localToIso(f.from.value)], ['to', localToIso(f.to.value)], ['q', q]]) {
      if (v) params.set(k, v);
    }
    if (q) {
      await this.showMatches(params);
      return;
    }
    let list: Recording[] = [];
    if (!(await this.status.run(this.ctx, async () => (list = await adminApi.recordings(params.toString()))))) return;
    this.status.say(`${list.length} recording${list.length === 1 ? '' : 's'}.`);
    this.results.replaceChildren(
      table('Recordings', ['Started', 'Device', 'Operator', 'Length', 'Size', 'Actions'], list.map((r) => this.row(r))),
    );
  }

  /** Recordings whose text contains the search, each with its matching lines; a line plays from where it was printed. */
  private async showMatches(params: URLSearchParams): Promise<void> {
    let list: RecordingMatch[] = [];
    if (!(await this.status.run(this.ctx, async () => (list = await adminApi.searchRecordings(params.toString()))))) return;
    this.status.say(`${list.length} recording${list.length === 1 ? '' : 's'} contain${list.length === 1 ? 's' : ''} the text.`);
    this.results.replaceChildren(
      table('Recordings with the text', ['Started', 'Device', 'Operator', 'Where', 'Actions'], list.map((r) => {
        const lines = h('ul', { class: 'matches' }, ...r.matches.map((m) => {
          const jump = button(formatOffset(m.at), { 'aria-label': `Play from ${formatOffset(m.at)}`, 'data-action': 'play-match' });
          jump.addEventListener('click', () => void this.play(r, Math.max(0, m.at - LEAD_IN_SECONDS)));
          return h('li', {}, jump, ' ', h('code', {}, m.line));
        }));
        const tr = cells(when(r.startedAt), r.deviceId, r.operator, lines, this.actions(r));
        tr.dataset.recordingId = r.id;
        return tr;
      })),
    );
  }

  private row(r: Recording): HTMLTableRowElement {
    const tr = cells(when(r.startedAt), r.deviceId, r.operator, formatDuration(r.startedAt, r.endedAt), formatBytes(r.bytes), this.actions(r));
    tr.dataset.recordingId = r.id;
    return tr;
  }

  private actions(r: Recording): HTMLElement {
    const name = `${r.deviceId} at ${when(r.startedAt)}`;
    const play = button('Play', { 'aria-label': `Play ${name}`, 'data-action': 'play' });
    play.addEventListener('click', () => void this.play(r, 0));
    const text = button('Text', { 'aria-label': `Save the text of ${name}` });
    text.addEventListener('click', () => void this.saveText(r));
    const cast = h('a', { href: castUrl(r.id), download: `${r.sessionId}.cast`, 'aria-label': `Download ${name} as .cast` }, '.cast');
    const buttons: HTMLElement[] = [play, text, cast];
    if (this.isAdmin && !r.endedAt) {
      const live = button('Watch live', { 'aria-label': `Watch ${name} live`, 'data-action': 'watch-live' });
      live.addEventListener('click', () => void this.watchLive(r));
      buttons.unshift(live);
    }
    return h('div', { class: 'actions' }, ...buttons);
  }

  /** Plays the recording with this id (from an audit entry's link). */
  async playById(id: string): Promise<void> {
    await this.play({ id, sessionId: id, deviceId: '', operator: '', startedAt: '', endedAt: null, bytes: 0 }, 0);
  }

  /**
   * Plays from `at` seconds. Long pauses are shortened to 2 s when playing from the start; not when
   * starting from a search match, since the player counts its start time on the shortened timeline.
   */
  private async play(r: Recording, at: number): Promise<void> {
    await this.open({ recording: r, live: false }, { url: castUrl(r.id), fetchOpts: { credentials: 'same-origin' } }, {
      autoPlay: true,
      startAt: at,
      speed: Number(this.speed.value),
      idleTimeLimit: at > 0 ? undefined : 2,
    });
    this.stage.dataset.startAt = String(at);
    this.rawOffset = at > 0 ? 0 : null;
  }

  /**
   * Plays from the next burst of typing after the current moment. Playing from the start shortens
   * long pauses, so its clock is not the recording's: from there the first burst is the next one.
   */
  private async playNextInput(): Promise<void> {
    const what = this.playing;
    if (!what || what.live) return;
    const r = what.recording;
    if (this.inputs?.id !== r.id) {
      let cast = '';
      const ok = await this.status.run(this.ctx, async () => {
        const res = await fetch(castUrl(r.id), { credentials: 'same-origin' });
        if (!res.ok) throw await errorFromResponse(res);
        cast = await res.text();
      });
      if (!ok) return;
      this.inputs = { id: r.id, starts: inputStarts(cast) };
    }
    const now = this.rawOffset === null ? -1 : (this.player?.getCurrentTime() ?? 0) + this.rawOffset;
    const next = nextInputAt(this.inputs.starts, now);
    if (next === null) {
      this.status.say(this.inputs.starts.length === 0
        ? 'This recording has no keystrokes: they are kept only where the relay\'s input rules ask.'
        : 'No more input after this point.');
      return;
    }
    await this.play(r, next);
  }

  /** The running session as the relay records it: what it printed so far at once, then as it comes (about once a second). */
  private async watchLive(r: Recording): Promise<void> {
    // bufferTime 0: events are shown as they arrive, so what was printed before joining shows at once.
    await this.open({ recording: r, live: true }, { driver: 'eventsource', url: liveUrl(r.id), bufferTime: 0 } satisfies EventSourceSource, { autoPlay: true });
  }

  private async open(what: Playing, source: AsciinemaPlayer.Source | EventSourceSource, options: AsciinemaPlayer.Options): Promise<void> {
    this.player?.dispose();
    this.player = null;
    this.playing = what;
    const r = what.recording;
    this.playerBox.hidden = false;
    this.stage.dataset.state = 'loading';
    this.stage.dataset.live = String(what.live);
    (this.playerBox.querySelector('#player-title') as HTMLElement).textContent = r.deviceId
      ? `${r.deviceId} · ${r.operator} · ${when(r.startedAt)}${what.live ? ' · live' : ''}`
      : `Recording ${r.id}`;
    let playerModule: typeof AsciinemaPlayer;
    try {
      playerModule = await import('asciinema-player');
    } catch (e) {
      this.status.say(`The player could not be loaded: ${String((e as Error).message ?? e)}`, 'error');
      return;
    }
    if (this.playing !== what) return; // another recording was chosen while the player loaded
    const player = playerModule.create(source as AsciinemaPlayer.Source, this.stage, { fit: 'width', logger: this.playerLogger(), ...options });
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
