// islet run examples/primes.ts -- 50000
import { sieve } from './lib/sieve.ts';

export default function main(limit = '10000'): { count: number; last: number | undefined } {
  const primes = sieve(Number(limit));
  console.info(`found ${primes.length} primes below ${limit}`);
  return { count: primes.length, last: primes.at(-1) };
}
