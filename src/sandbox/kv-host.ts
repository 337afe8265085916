/**
 * The host half of the KV binding inside the run core: checks what the guest's op_kv sent (hostile
 * input), hands the request to the embedder's `kv` hook under the binding's name, and turns the
 * response or failure into the plain payload the guest prelude expects.
 */
import { checkKvRequest, isKvProblem, type KvMethod, type KvRequest, type KvResponse } from '../bridge/kv.ts';

/** The embedder's KV hook: runs one request on the namespace it maps `binding` to. */
export type KvHook = (binding: string, request: KvRequest) => Promise<KvResponse>;

/** A failure as the guest rebuilds it: a TypeError or an Error with this message. */
export interface KvFailure { name: 'TypeError' | 'Error'; message: string }

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Runs one guest KV operation. `raw` is what the guest sent (a put's value may be a string, which
 * is encoded here); `text` asks for a get's value as a string. Resolves with the guest payload:
 * get: null or [value, metadata]; list: [keys, complete, cursor | null] with each key
 * [name, expiration | null, metadata | null]; put and delete: null. Rejects with a KvFailure.
 */
export async function runKvOp(hook: KvHook | undefined, binding: string, raw: unknown, text: boolean): Promise<unknown> {
  const method = methodOf(raw);
  if (hook === undefined) throw failure('Error', `KV ${method} failed: the binding "${binding}" is not connected to a KV store on this host.`);
  let input = raw;
  if (typeof raw === 'object' && raw !== null && (raw as { op?: unknown }).op === 'put' && typeof (raw as { value?: unknown }).value === 'string') {
    input = { ...raw, value: encoder.encode((raw as { value: string }).value) };
  }
  const request = checkKvRequest(input, Math.floor(Date.now() / 1000));
  if (isKvProblem(request)) throw failure(request.kind === 'invalid' ? 'TypeError' : 'Error', request.message);
  let response: KvResponse;
  try {
    response = await hook(binding, request);
  } catch (error) {
    throw failureFrom(error, method);
  }
  if (response.op !== request.op) throw failure('Error', `KV ${method} failed: 500 the KV store answered another operation.`);
  switch (response.op) {
    case 'get': {
      const entry = response.entry;
      if (entry === null) return null;
      return [text ? decoder.decode(entry.value) : entry.value, entry.metadata ?? null];
    }
    case 'list': {
      const r = response.result;
      const keys = r.keys.map((k) => [k.name, k.expiration ?? null, k.metadata ?? null]);
      return [keys, r.list_complete, r.list_complete ? null : r.cursor ?? null];
    }
    default: return null;
  }
}

/** A KvFailure for whatever runKvOp rejected with. */
export function toKvFailure(error: unknown, raw: unknown): KvFailure {
  const e = error as Partial<KvFailure> | null;
  if (typeof e === 'object' && e !== null && !(e instanceof Error) && (e.name === 'TypeError' || e.name === 'Error') && typeof e.message === 'string') return failure(e.name, e.message);
  return failureFrom(error, methodOf(raw));
}

/**
 * The store's own refusals (IsletError KV_INVALID / KV_LIMIT, also as plain objects after an IPC
 * hop) keep their message; anything else is a store failure, reported without host detail.
 */
function failureFrom(error: unknown, method: KvMethod): KvFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown };
  if ((e.code === 'KV_INVALID' || e.code === 'KV_LIMIT') && typeof e.message === 'string') {
    return failure(e.code === 'KV_INVALID' ? 'TypeError' : 'Error', e.message);
  }
  return failure('Error', `KV ${method} failed: 500 the KV store is unavailable; try again.`);
}

function failure(name: KvFailure['name'], message: string): KvFailure { return { name, message }; }

function methodOf(raw: unknown): KvMethod {
  const op = typeof raw === 'object' && raw !== null ? (raw as { op?: unknown }).op : undefined;
  return op === 'put' ? 'PUT' : op === 'delete' ? 'DELETE' : op === 'list' ? 'LIST' : 'GET';
}
