/**
 * Reader for Fader & Hardie's CDNOW sample file (`CDNOW_sample.txt`): whitespace-separated
 * columns master id, sample id (1..2357), date YYYYMMDD, number of CDs, dollar value. Used by
 * the tests and `fit-cdnow.ts` to check the models against the published estimates.
 */
import { type Purchase } from './rfm';

/**
 * Parses the file's text into purchases keyed by the sample id (column 2), the id the
 * published summaries use. Blank lines are skipped; any other malformed line throws.
 */
export function parseCdnowSample(text: string): Purchase[] {
  const purchases: Purchase[] = [];
  text.split('\n').forEach((line, index) => {
    const fields = line.trim().split(/\s+/);
    if (fields.length === 1 && fields[0] === '') return;
    const [, sampleId, date, , dollars] = fields;
    const amount = Number(dollars);
    if (
      fields.length !== 5 ||
      !sampleId ||
      !date ||
      !/^\d{8}$/.test(date) ||
      Number.isNaN(amount)
    ) {
      throw new Error(`CDNOW sample line ${index + 1} is malformed: ${JSON.stringify(line)}`);
    }
    purchases.push({
      customerId: String(Number(sampleId)),
      at: `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`,
      amount,
    });
  });
  return purchases;
}
