/**
 * Sentiment of what customers write, from `natural`'s SentimentAnalyzer with the AFINN-165
 * lexicon (English, Porter-stemmed, negation-aware).
 *
 * Why `natural`: of the lexicon analysers on npm (`sentiment`, `wink-sentiment`,
 * `vader-sentiment`, `natural`), it is the one still released (8.1.1, February 2026, against
 * December 2024 for the others), ships its own TypeScript types and handles negation. Only its
 * sentiment, tokenizer and stemmer modules are imported: the package's index also loads storage
 * back-ends that read `.env` files, which nothing here may do.
 */
import { SentimentAnalyzer } from 'natural/lib/natural/sentiment';
import { PorterStemmer } from 'natural/lib/natural/stemmers';
import { WordTokenizer } from 'natural/lib/natural/tokenizers';

/** AFINN rates each word from −5 to 5; the analyser averages them over the words of a text. */
const AFINN_MAX = 5;

const analyzer = new SentimentAnalyzer('English', PorterStemmer, 'afinn');
const tokenizer = new WordTokenizer();

/**
 * A text's sentiment from −1 (most negative) to 1 (most positive): the AFINN average over its
 * words divided by 5, the largest a word can score. Null for a text with no words.
 */
export function sentimentOf(text: string | null | undefined): number | null {
  const words = text ? tokenizer.tokenize(text) : [];
  if (words.length === 0) return null;
  const score = analyzer.getSentiment(words) / AFINN_MAX;
  if (!Number.isFinite(score)) return null;
  return Math.max(-1, Math.min(1, score));
}
