import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SavedFilters, saveProblem, suggestedName, type SavedFilter, type SavedFilterApi } from '../src/saved-filters.ts';

/** The relay's rules in memory: one filter per name and user, replaced when saved again. */
class FakeRelay implements SavedFilterApi {
  rows: SavedFilter[] = [];
  private seq = 0;
  calls: string[] = [];

  async list(): Promise<SavedFilter[]> {
    this.calls.push('list');
    return [...this.rows];
  }

  async save(name: string, filter: string): Promise<SavedFilter> {
    this.calls.push(`save ${name}=${filter}`);
    const old = this.rows.find((r) => r.name === name);
    const row = { id: old?.id ?? `f${++this.seq}`, name, filter, createdAt: '2026-01-01T00:00:00Z' };
    this.rows = [...this.rows.filter((r) => r !== old), row];
    return row;
  }

  async remove(id: string): Promise<void> {
    this.calls.push(`remove ${id}`);
    if (!this.rows.some((r) => r.id === id)) throw new Error('You have no saved filter with that id.');
    this.rows = this.rows.filter((r) => r.id !== id);
  }
}

test('loads, saves (replacing by name) and deletes, kept sorted by name', async () => {
  const relay = new FakeRelay();
  relay.rows = [{ id: 'x', name: 'zeta', filter: 'offline', createdAt: '' }];
  const saved = new SavedFilters(relay);
  await saved.load();
  await saved.save('  berlin ', ' site=berlin  online ');
  assert.deepEqual(relay.calls.at(-1), 'save berlin=site=berlin  online', 'trimmed before sending');
  const prod = await saved.save('prod', 'env=prod');
  assert.deepEqual(saved.list.map((f) => f.name), ['berlin', 'prod', 'zeta']);
  const again = await saved.save('prod', 'env=prod offline');
  assert.equal(again.id, prod.id);
  assert.deepEqual(saved.list.map((f) => `${f.name}:${f.filter}`), ['berlin:site=berlin  online', 'prod:env=prod offline', 'zeta:offline']);
  await saved.remove(prod.id);
  assert.deepEqual(saved.list.map((f) => f.name), ['berlin', 'zeta']);
  await assert.rejects(saved.remove('nope'), /no saved filter/);
  assert.deepEqual(saved.list.map((f) => f.name), ['berlin', 'zeta'], 'a refused delete changes nothing');
  saved.clear();
  assert.equal(saved.list.length, 0);
});

test('the typed words select the saved filter they equal, whatever the spacing and case', async () => {
  const relay = new FakeRelay();
  const saved = new SavedFilters(relay);
  await saved.save('prod', 'env=prod offline');
  assert.equal(saved.matching('  ENV=prod   offline ')?.name, 'prod');
  assert.equal(saved.matching('env=prod'), undefined);
  assert.equal(saved.matching(''), undefined);
});

test('a save the relay would refuse is stopped with words first', () => {
  assert.match(saveProblem('name', '   ') ?? '', /Type a filter first/);
  assert.match(saveProblem(' ', 'env=prod') ?? '', /name/);
  assert.match(saveProblem('n'.repeat(65), 'env=prod') ?? '', /64/);
  assert.match(saveProblem('n', 'f'.repeat(257)) ?? '', /256/);
  assert.equal(saveProblem('prod', 'env=prod'), null);
  assert.equal(suggestedName('  env=prod\t offline '), 'env=prod offline');
  assert.equal(suggestedName('x'.repeat(100)).length, 64);
});
