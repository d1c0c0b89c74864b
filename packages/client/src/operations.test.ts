import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { parse, validate, type DocumentNode } from 'graphql';
import { apiSchema, apiSchemaSdl } from './api-schema.ts';

const PACKAGE_DIR = path.join(__dirname, '..');
/** Where codegen takes its documents from (see codegen.ts). */
const FOLDERS = [
  path.join(PACKAGE_DIR, 'src', 'operations'),
  path.join(PACKAGE_DIR, '..', '..', 'schema', 'operations'),
];
const schema = apiSchema(PACKAGE_DIR);

const documents = FOLDERS.flatMap((folder) =>
  readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.graphql'))
    .map((file) => ({
      file: path.join(folder, file),
      source: readFileSync(path.join(folder, file), 'utf8'),
    })),
);

const problems = (document: DocumentNode) => validate(schema, document).map((e) => e.message);

const operationNames = (document: DocumentNode) =>
  document.definitions.flatMap((d) =>
    d.kind === 'OperationDefinition' ? [d.name?.value ?? '(anonymous)'] : [],
  );

describe('the operations frontends use', () => {
  it('are found: the ones this package promises, and every file of the folder', () => {
    const names = documents.flatMap((d) => operationNames(parse(d.source)));
    expect(names).toEqual(
      expect.arrayContaining([
        'CustomerView',
        'DeviceExperience',
        'JourneyExperience',
        'ConsentsAndPreferences',
        'SetConsent',
        'VolunteerPreference',
        'InterventionQueue',
        'ResolveIntervention',
        'CampaignFunnel',
        'RecordEvents',
      ]),
    );
  });

  it.each(documents.map((d) => [path.basename(d.file), d.source]))(
    '%s is valid against the API schema of the committed supergraph',
    (_file, source) => {
      expect(problems(parse(source))).toEqual([]);
    },
  );

  it('each have a name of their own across the folder', () => {
    const names = documents.flatMap((d) => operationNames(parse(d.source)));
    expect(names).not.toContain('(anonymous)');
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  it('cannot use what the supergraph keeps internal: its federation types are not in the API schema', () => {
    expect(schema.getType('join__Graph')).toBeUndefined();
    expect(problems(parse('query { _entities(representations: []) { __typename } }'))).not.toEqual(
      [],
    );
  });
});

describe('an operation that does not fit the schema', () => {
  const wrong = `query DeviceWithATypo($serial: ID!) { device(serial: $serial) { serial stagee } }`;

  it('is rejected by validation, naming the field', () => {
    expect(problems(parse(wrong))).toEqual([
      expect.stringContaining('Cannot query field "stagee" on type "Device"'),
    ]);
  });

  it('is rejected with a wrong argument type too', () => {
    expect(problems(parse(`query { device(serial: 12.5) { serial } }`))).not.toEqual([]);
  });

  it('fails codegen, and so the build', async () => {
    // Codegen reports what it rejects on the console as well as in the error it throws.
    const reported = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const dir = mkdtempSync(path.join(tmpdir(), 'client-codegen-'));
    try {
      writeFileSync(path.join(dir, 'wrong.graphql'), wrong);
      const run = (documentsGlob: string) =>
        generate(
          {
            schema: apiSchemaSdl(PACKAGE_DIR),
            documents: documentsGlob,
            silent: true,
            generates: { [path.join(dir, 'out') + '/']: { preset: 'client' } },
          },
          false,
        );
      await expect(run(path.join(dir, '*.graphql'))).rejects.toThrow(/stagee/);
      // The same run with a valid document succeeds, so the failure above is the field's.
      writeFileSync(path.join(dir, 'wrong.graphql'), wrong.replace('stagee', 'stage'));
      await expect(run(path.join(dir, '*.graphql'))).resolves.toBeDefined();
    } finally {
      reported.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
