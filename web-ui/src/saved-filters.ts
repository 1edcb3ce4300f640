// Saved filters of the device list (GET/POST/DELETE /api/v1/account/device-filters): the list
// the console shows, kept in step with the relay, and the checks made before asking it. No DOM.

export interface SavedFilter {
  id: string;
  name: string;
  filter: string;
  createdAt: string;
}

export interface SavedFilterApi {
  list(): Promise<SavedFilter[]>;
  save(name: string, filter: string): Promise<SavedFilter>;
  remove(id: string): Promise<void>;
}

export const MAX_NAME = 64;
export const MAX_FILTER = 256;

/** Words for a save the relay would refuse anyway, or null when it may be sent. */
export function saveProblem(name: string, filter: string): string | null {
  if (!filter.trim()) return 'Type a filter first, then save it.';
  if (filter.trim().length > MAX_FILTER) return `A filter has at most ${MAX_FILTER} characters.`;
  if (!name.trim()) return 'Give the filter a name.';
  if (name.trim().length > MAX_NAME) return `A name has at most ${MAX_NAME} characters.`;
  return null;
}

/** The name offered when saving: the filter's own words, clipped. */
export function suggestedName(filter: string): string {
  return filter.trim().replace(/\s+/g, ' ').slice(0, MAX_NAME);
}

export class SavedFilters {
  private items: SavedFilter[] = [];

  constructor(private readonly api: SavedFilterApi) {}

  get list(): readonly SavedFilter[] {
    return this.items;
  }

  async load(): Promise<void> {
    this.items = sortByName(await this.api.list());
  }

  /** Saves under `name` (replacing the filter of that name, as the relay does). */
  async save(name: string, filter: string): Promise<SavedFilter> {
    const saved = await this.api.save(name.trim(), filter.trim());
    this.items = sortByName([...this.items.filter((f) => f.id !== saved.id && f.name !== saved.name), saved]);
    return saved;
  }

  async remove(id: string): Promise<void> {
    await this.api.remove(id);
    this.items = this.items.filter((f) => f.id !== id);
  }

  find(id: string): SavedFilter | undefined {
    return this.items.find((f) => f.id === id);
  }

  /** The saved filter the typed words are, if any: the picker shows it as chosen. */
  matching(typed: string): SavedFilter | undefined {
    const words = normalize(typed);
    return words ? this.items.find((f) => normalize(f.filter) === words) : undefined;
  }

  clear(): void {
    this.items = [];
  }
}

function normalize(filter: string): string {
  return filter.trim().toLowerCase().split(/\s+/).join(' ');
}

function sortByName(list: SavedFilter[]): SavedFilter[] {
  return [...list].sort((a, b) => a.name.localeCompare(b.name));
}
