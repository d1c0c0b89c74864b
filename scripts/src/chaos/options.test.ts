import { DEFAULT_OPTIONS, parseChaosOptions } from './options';

describe('chaos flags', () => {
  it('takes the defaults with no flags, and --help as help', () => {
    expect(parseChaosOptions([])).toEqual(DEFAULT_OPTIONS);
    expect(parseChaosOptions(['--help'])).toBe('help');
  });

  it('reads the fault matrix timings and counts, in both spellings', () => {
    const options = parseChaosOptions([
      '--faults',
      'neo4j,worker',
      '--worker-kills=5',
      '--neo4j-down-s',
      '45',
      '--temporal-down-s=7.5',
    ]);
    expect(options).toMatchObject({
      faults: ['neo4j', 'worker'],
      workerKills: 5,
      neo4jDownS: 45,
      temporalDownS: 7.5,
    });
  });

  it('reads the soak', () => {
    expect(parseChaosOptions(['--soak', '--duration-min', '45', '--sample-s', '10'])).toMatchObject(
      { mode: 'soak', durationMin: 45, sampleS: 10 },
    );
  });

  it.each([
    [['--faults', 'gateway'], '--faults: unknown gateway'],
    [['--worker-kills', '1.5'], '--worker-kills: "1.5" is not a whole number'],
    [['--neo4j-down-s', 'long'], '--neo4j-down-s: "long" is not a number'],
    [['--devices', '0'], '--devices: must be from 1 to 200 (got 0)'],
    [['--rate'], '--rate needs a value'],
    [['--kill-everything'], 'Unknown flag --kill-everything'],
    [['--max-answer-ms', '20000', '--client-timeout-ms', '10000'], 'must be above --max-answer-ms'],
    [['--soak', '--duration-min', '5', '--warmup-min', '5'], 'must be less than --duration-min'],
  ])('refuses %j, naming the flag', (argv, message) => {
    expect(() => parseChaosOptions(argv)).toThrow(message);
  });
});
