/**
 * Host handles (seed 000): host objects a service gives the guest cross as opaque
 * `{ slot, generation }` pairs from a resource table. Closing a handle bumps its slot's generation,
 * so closed, stale (after the run) and forged pairs fail every lookup.
 */
import { IsletError } from '../errors.ts';

/** A host object a service hands to the guest. Services create one with {@link handle}. */
export class Handle<T = unknown> {
  readonly kind: string;
  readonly #value: T;
  #closed = false;
  #onClose: (() => void) | undefined;

  constructor(kind: string, value: T) {
    if (typeof kind !== 'string' || !/^[A-Za-z][\w.-]{0,63}$/.test(kind)) {
      throw new IsletError('INVALID_OPTIONS', `Invalid handle kind "${String(kind)}": use 1-64 letters, digits, "_", "." or "-", starting with a letter.`, { option: 'kind' });
    }
    this.kind = kind;
    this.#value = value;
  }

  /** The host object, after checking its kind; a wrong kind throws HANDLE_INVALID. */
  get(kind: string): T {
    if (this.#closed) throw new IsletError('HANDLE_INVALID', `The "${this.kind}" handle is closed.`);
    if (kind !== this.kind) throw new IsletError('HANDLE_INVALID', `Expected a "${kind}" handle but got a "${this.kind}" handle.`);
    return this.#value;
  }

  /** Whether the handle was closed (by a service or at the end of its run). */
  get closed(): boolean { return this.#closed; }

  /** Closes the handle: the guest's copy stops resolving. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const onClose = this.#onClose;
    this.#onClose = undefined;
    onClose?.();
  }

  /** @internal Called by the resource table when it issues this handle. */
  static attach(h: Handle, onClose: () => void): void { h.#onClose = onClose; }
}

/** Wraps a host object so the guest receives an opaque handle to it. */
export function handle<T>(kind: string, value: T): Handle<T> {
  return new Handle(kind, value);
}

interface Slot { generation: number; entry: Handle | undefined }

/** A table of live handles for one sandbox. */
export class ResourceTable {
  readonly #slots: Slot[] = [];
  readonly #free: number[] = [];
  readonly #maxLive: number;
  readonly #issued = new WeakMap<Handle, readonly [number, number]>();

  constructor(maxLive = 65_536) { this.#maxLive = maxLive; }

  /** Issues `[slot, generation]` for a handle. The same Handle issued twice gets two entries. */
  issue(h: Handle): readonly [number, number] {
    if (h.closed) throw new IsletError('HANDLE_INVALID', `A host service returned the closed "${h.kind}" handle.`);
    const existing = this.#issued.get(h);
    if (existing !== undefined) return existing;
    let index = this.#free.pop();
    if (index === undefined) {
      if (this.#slots.length >= this.#maxLive) throw new IsletError('HANDLE_INVALID', `Too many live host handles (limit ${this.#maxLive}); close some.`);
      index = this.#slots.length;
      this.#slots.push({ generation: 1, entry: undefined });
    }
    const slot = this.#slots[index] as Slot;
    slot.entry = h;
    const issued = index;
    const generation = slot.generation;
    Handle.attach(h, () => this.#release(issued, generation));
    const pair = [issued, generation] as const;
    this.#issued.set(h, pair);
    return pair;
  }

  /** Resolves a pair the guest passed back, or throws HANDLE_INVALID saying why. */
  lookup(slotIndex: unknown, generation: unknown): Handle {
    if (!Number.isSafeInteger(slotIndex) || !Number.isSafeInteger(generation)) {
      throw new IsletError('HANDLE_INVALID', 'The value is not a host handle.');
    }
    const slot = this.#slots[slotIndex as number];
    if (slot === undefined || slot.generation !== generation || slot.entry === undefined) {
      throw new IsletError('HANDLE_INVALID', 'The host handle is closed or stale (handles last until their run ends or they are closed).');
    }
    return slot.entry;
  }

  /** Closes every live handle (end of a run). */
  closeAll(): void {
    for (const slot of this.#slots) slot.entry?.close();
  }

  /** How many handles are live. */
  get size(): number { return this.#slots.length - this.#free.length; }

  #release(index: number, generation: number): void {
    const slot = this.#slots[index];
    if (slot === undefined || slot.generation !== generation) return;
    slot.generation += 1;
    slot.entry = undefined;
    this.#free.push(index);
  }
}
