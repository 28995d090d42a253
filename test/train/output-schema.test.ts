// Machine-readable output is versioned: every `train --json` event and every metrics.jsonl line
// carries schemaVersion (first), a run written before versioning still reads, and a newer
// schema is refused by name rather than misread.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { OUTPUT_SCHEMA_VERSION } from '../../lib/output-schema.js';
import { readRunRecords } from '../../lib/report/run-records.js';
import { tinyFlags, train } from '../helpers/runs.js';
import { tempDir } from '../helpers/tmp.js';

t.test(
  '--json events and metrics.jsonl lines carry the schema version; old lines read, newer ones are refused',
  async (t) => {
    const output = tempDir(t);
    const run = train([
      ...tinyFlags,
      '--log-every',
      '1',
      '--max-steps',
      '3',
      '--knn-every',
      '0',
      '--json',
      '--output',
      output,
      '--name',
      'v',
    ]);
    t.equal(run.status, 0, run.stderr);
    const events = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    t.same([...new Set(events.map((e) => e['type']))].slice(0, 2), ['start', 'step']);
    for (const event of events)
      t.equal(Object.keys(event)[0], 'schemaVersion', `${event['type']} event: schemaVersion first`);
    t.ok(
      events.every((e) => e['schemaVersion'] === OUTPUT_SCHEMA_VERSION),
      `every event at version ${OUTPUT_SCHEMA_VERSION}`,
    );

    const dir = join(output, 'v');
    const metrics = join(dir, 'metrics.jsonl');
    const lines = readFileSync(metrics, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    t.ok(lines.length >= 4, `${lines.length} metrics lines`);
    t.ok(lines.every((l) => Object.keys(l)[0] === 'schemaVersion' && l['schemaVersion'] === OUTPUT_SCHEMA_VERSION));
    const current = await readRunRecords(dir);
    t.equal(current.steps.length, 3);

    // As written before versioning: the same lines without the field.
    writeFileSync(metrics, lines.map(({ schemaVersion: _, ...rest }) => JSON.stringify(rest)).join('\n') + '\n');
    const unversioned = (steps: object[]) => steps.map((s) => ({ ...s, schemaVersion: undefined }));
    t.same(unversioned((await readRunRecords(dir)).steps), unversioned(current.steps), 'the same steps read');

    writeFileSync(
      metrics,
      lines.map((l) => JSON.stringify({ ...l, schemaVersion: OUTPUT_SCHEMA_VERSION + 1 })).join('\n') + '\n',
    );
    await t.rejects(readRunRecords(dir), {
      name: 'InputError',
      message: `report: ${metrics} was written with output schema ${OUTPUT_SCHEMA_VERSION + 1}; this mveb-torch reads up to ${OUTPUT_SCHEMA_VERSION} (a newer mveb-torch wrote it)`,
    });
  },
);
