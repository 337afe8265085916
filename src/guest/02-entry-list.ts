/**
 * Ordered name/value lists, the structure behind URLSearchParams, Headers and FormData: the
 * "set" (replace the first, drop the rest), "delete", "get", "get all" and "has" algorithms that
 * the URL, Fetch and XHR standards each define the same way.
 */
import { ArrayPrototypePush, ObjectGetOwnPropertyDescriptor, ReflectOwnKeys } from './00-primordials.ts';

/** One entry: a name and its value. */
export type Entry<V> = [string, V];

/**
 * Web IDL's record<K, V> conversion: calls `each` with every own, enumerable, string-keyed
 * property of `init`, in property order (URLSearchParams and Headers initialisers).
 */
export function forEachRecordEntry(init: object, each: (key: string, value: unknown) => void): void {
  const keys = ReflectOwnKeys(init);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string | symbol;
    if (typeof key === 'symbol') continue;
    const desc = ObjectGetOwnPropertyDescriptor(init, key);
    if (desc === undefined || !desc.enumerable) continue;
    each(key, (init as Record<string, unknown>)[key]);
  }
}

/** Removes list[index], moving the rest down (splice would look up a species constructor). */
export function removeAt<T>(list: T[], index: number): void {
  for (let i = index + 1; i < list.length; i++) list[i - 1] = list[i] as T;
  list.length -= 1;
}

/** Replaces the first entry named `name` with `entry`, removes the others, or appends it. */
export function listSet<V>(list: Entry<V>[], entry: Entry<V>): void {
  let found = false;
  for (let i = 0; i < list.length; i++) {
    if ((list[i] as Entry<V>)[0] !== entry[0]) continue;
    if (!found) { list[i] = entry; found = true; } else { removeAt(list, i); i--; }
  }
  if (!found) ArrayPrototypePush(list, entry);
}

/** Removes every entry named `name` (and, when given, whose value is `value`). */
export function listDelete<V>(list: Entry<V>[], name: string, value?: V): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const entry = list[i] as Entry<V>;
    if (entry[0] === name && (value === undefined || entry[1] === value)) removeAt(list, i);
  }
}

/** The first value named `name`, or null. */
export function listGet<V>(list: readonly Entry<V>[], name: string): V | null {
  for (let i = 0; i < list.length; i++) if ((list[i] as Entry<V>)[0] === name) return (list[i] as Entry<V>)[1];
  return null;
}

/** Every value named `name`, in order. */
export function listGetAll<V>(list: readonly Entry<V>[], name: string): V[] {
  const out: V[] = [];
  for (let i = 0; i < list.length; i++) if ((list[i] as Entry<V>)[0] === name) ArrayPrototypePush(out, (list[i] as Entry<V>)[1]);
  return out;
}

/** Whether an entry named `name` (and, when given, with value `value`) exists. */
export function listHas<V>(list: readonly Entry<V>[], name: string, value?: V): boolean {
  for (let i = 0; i < list.length; i++) {
    const entry = list[i] as Entry<V>;
    if (entry[0] === name && (value === undefined || entry[1] === value)) return true;
  }
  return false;
}
