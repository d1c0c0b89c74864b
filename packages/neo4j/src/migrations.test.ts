import { loadMigrations, parseMigration } from './migrations';

describe('parseMigration', () => {
  it('splits statements on line-ending semicolons and drops comment lines', () => {
    const m = parseMigration(
      '0007-add-things.cypher',
      '// why\nCREATE INDEX a IF NOT EXISTS FOR (n:A) ON (n.x);\nCREATE INDEX b IF NOT EXISTS\n  FOR (n:B) ON (n.y);\n',
    );
    expect(m.version).toBe(7);
    expect(m.name).toBe('add-things');
    expect(m.statements).toEqual([
      'CREATE INDEX a IF NOT EXISTS FOR (n:A) ON (n.x)',
      'CREATE INDEX b IF NOT EXISTS\n  FOR (n:B) ON (n.y)',
    ]);
  });

  it('rejects a badly named file and an empty one', () => {
    expect(() => parseMigration('add.cypher', 'RETURN 1;')).toThrow(/0001-some-name\.cypher/);
    expect(() => parseMigration('0001-empty.cypher', '// nothing\n')).toThrow(/no statements/);
  });
});

describe('the shipped migrations', () => {
  it('load in version order, and every statement is idempotent', async () => {
    const migrations = await loadMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations.map((m) => m.version)).toEqual(
      [...migrations.map((m) => m.version)].sort((a, b) => a - b),
    );
    for (const statement of migrations.flatMap((m) => m.statements)) {
      // Schema statements say IF [NOT] EXISTS; a data statement sets only what is still unset:
      // a property that IS NULL, or a label a node does not have yet (WHERE NOT n:L ... SET n:L).
      expect(statement).toMatch(
        /IF (NOT )?EXISTS|WHERE [\s\S]*IS NULL[\s\S]*\bSET |WHERE NOT (?<node>\w+):(?<label>\w+)[\s\S]*\bSET \k<node>:\k<label>\b/,
      );
    }
  });
});
