import { randomUUID } from 'node:crypto';
import { loadConfig } from '@experience-graph/config';
import { createDriver, createGraph } from './graph';
import { eachBounded, keyPageCondition, keyPages } from './key-pages';

describe('keyPages over a real graph', () => {
  const config = loadConfig(process.env);
  const driver = createDriver(config.neo4j);
  const graph = createGraph(driver, config.neo4j.database);
  // A population of its own, and neighbours whose ids sort just before and just after it.
  const prefix = `keypages-${randomUUID().slice(0, 8)}-`;
  const ids = Array.from({ length: 23 }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);
  const neighbours = [`${prefix.slice(0, -1)}`, `${prefix.slice(0, -1)}.after`];

  beforeAll(async () => {
    await graph.write('UNWIND $ids AS id CREATE (:Customer {id: id})', {
      ids: [...ids, ...neighbours],
    });
  });
  afterAll(async () => {
    await graph.write('MATCH (c:Customer) WHERE c.id IN $ids DETACH DELETE c', {
      ids: [...ids, ...neighbours],
    });
    await driver.close();
  });

  const idsOf = async (page: Awaited<ReturnType<typeof keyPages>>[number]) => {
    const rows = await graph.read<{ id: string }>(
      `MATCH (c:Customer) WHERE ${keyPageCondition('c', 'id', page)} RETURN c.id AS id ORDER BY id`,
      { ...page },
    );
    return rows.map((r) => r.id);
  };

  it('cuts a population into pages that hold each of its ids once, and nothing else', async () => {
    const pages = await keyPages(graph, { label: 'Customer', key: 'id', prefix, pageSize: 5 });
    expect(pages).toHaveLength(5);
    const seen: string[][] = [];
    for (const page of pages) seen.push(await idsOf(page));
    expect(seen.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
    expect(seen.flat()).toEqual(ids);
  });

  it('gives one page to a population smaller than a page, and one to an empty one', async () => {
    const [only, ...rest] = await keyPages(graph, {
      label: 'Customer',
      key: 'id',
      prefix,
      pageSize: 100,
    });
    expect(rest).toEqual([]);
    expect(await idsOf(only!)).toEqual(ids);
    const none = await keyPages(graph, {
      label: 'Customer',
      key: 'id',
      prefix: `${prefix}nobody-`,
      pageSize: 5,
    });
    expect(none).toHaveLength(1);
    expect(await idsOf(none[0]!)).toEqual([]);
  });

  it('lets every page be worked on, at most so many at once', async () => {
    const pages = await keyPages(graph, { label: 'Customer', key: 'id', prefix, pageSize: 2 });
    let running = 0;
    let most = 0;
    const counted: number[] = [];
    await eachBounded(pages, 3, async (page, index) => {
      running++;
      most = Math.max(most, running);
      counted[index] = (await idsOf(page)).length;
      running--;
    });
    expect(most).toBe(3);
    expect(counted.reduce((a, b) => a + b, 0)).toBe(ids.length);
  });
});
