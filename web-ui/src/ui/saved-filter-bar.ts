// The saved filters beside the device filter: pick one (it fills the filter), save the filter as
// typed under a name (an inline form; the same name replaces), delete the chosen one.

import { ApiError } from '../api.ts';
import { saveProblem, suggestedName, type SavedFilters } from '../saved-filters.ts';
import { byId, h, setText } from './dom.ts';

export class SavedFilterBar {
  private readonly select = byId<HTMLSelectElement>('saved-filter-select');
  private readonly saveButton = byId<HTMLButtonElement>('saved-filter-save');
  private readonly deleteButton = byId<HTMLButtonElement>('saved-filter-delete');
  private readonly form = byId<HTMLFormElement>('saved-filter-form');
  private readonly nameInput = byId<HTMLInputElement>('saved-filter-name');
  private readonly status = byId('saved-filter-status');

  /** {@code onPicked}: the filter input now holds a saved filter's words; apply them. */
  constructor(
    private readonly filters: SavedFilters,
    private readonly filterInput: HTMLInputElement,
    private readonly onPicked: () => void,
  ) {
    this.select.addEventListener('change', () => this.pick());
    this.saveButton.addEventListener('click', () => this.openForm());
    this.deleteButton.addEventListener('click', () => void this.deleteChosen());
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.save();
    });
    byId('saved-filter-cancel').addEventListener('click', () => this.closeForm());
    this.form.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.closeForm();
    });
    filterInput.addEventListener('input', () => this.render());
    filterInput.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.render(); // the device list cleared the filter (its listener ran first)
    });
  }

  async load(): Promise<void> {
    try {
      await this.filters.load();
      this.render();
    } catch (e) {
      this.say(`Saved filters could not be loaded: ${errorMessage(e)}`);
    }
  }

  /** Logged out: forget the previous user's filters. */
  reset(): void {
    this.filters.clear();
    this.closeForm();
    this.say('');
    this.render();
  }

  private pick(): void {
    const chosen = this.filters.find(this.select.value);
    if (!chosen) return;
    this.filterInput.value = chosen.filter;
    this.onPicked();
    this.render();
  }

  private openForm(): void {
    const problem = saveProblem('x', this.filterInput.value);
    if (problem) {
      this.say(problem);
      this.filterInput.focus();
      return;
    }
    this.say('');
    this.nameInput.value = this.filters.matching(this.filterInput.value)?.name ?? suggestedName(this.filterInput.value);
    this.form.hidden = false;
    this.nameInput.focus();
    this.nameInput.select();
  }

  private closeForm(): void {
    this.form.hidden = true;
  }

  private async save(): Promise<void> {
    const problem = saveProblem(this.nameInput.value, this.filterInput.value);
    if (problem) {
      this.say(problem);
      return;
    }
    try {
      const saved = await this.filters.save(this.nameInput.value, this.filterInput.value);
      this.closeForm();
      this.render();
      this.say(`Saved “${saved.name}”.`);
    } catch (e) {
      this.say(errorMessage(e));
    }
  }

  private async deleteChosen(): Promise<void> {
    const chosen = this.filters.find(this.select.value);
    if (!chosen) return;
    try {
      await this.filters.remove(chosen.id);
      this.render();
      this.say(`Deleted “${chosen.name}”.`);
    } catch (e) {
      this.say(errorMessage(e));
    }
  }

  /** The picker lists the filters and shows the one the typed words are; Delete works on that one. */
  private render(): void {
    const options = [h('option', { value: '' }, 'Saved filters…'),
      ...this.filters.list.map((f) => h('option', { value: f.id, title: f.filter }, f.name))];
    const key = this.filters.list.map((f) => `${f.id}:${f.name}:${f.filter}`).join('\n');
    if (this.select.dataset.key !== key) {
      this.select.dataset.key = key;
      this.select.replaceChildren(...options);
    }
    const current = this.filters.matching(this.filterInput.value);
    this.select.value = current?.id ?? '';
    this.deleteButton.disabled = !current;
    if (current) this.deleteButton.setAttribute('aria-label', `Delete the saved filter ${current.name}`);
    else this.deleteButton.removeAttribute('aria-label');
  }

  private say(text: string): void {
    setText(this.status, text);
  }
}

function errorMessage(e: unknown): string {
  return e instanceof ApiError ? e.describe('general') : e instanceof Error ? e.message : String(e);
}
