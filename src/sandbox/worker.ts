/**
 * The worker-process side of isolation "process": hosts one RunCore and proxies services,
 * messages, output and module loading to the parent over IPC. Started by WorkerProcess.
 */
import { RunCore, type CoreSettings, type RunSpec } from './core.ts';
import type { WireArg, WireResult } from '../bridge/protocol.ts';
import type { ParentMessage, WorkerMessage } from './worker-protocol.ts';

const send = (message: WorkerMessage): void => { process.send?.(message); };
const calls = new Map<number, { resolve(v: WireResult): void; reject(e: unknown): void }>();
const loads = new Map<number, (source: string | undefined) => void>();
let nextId = 0;
let core: RunCore | undefined;

function start(settings: CoreSettings): RunCore {
  const created = new RunCore(settings, {
    callService(path: string, args: readonly WireArg[]): Promise<WireResult> {
      const id = ++nextId;
      return new Promise((resolve, reject) => {
        calls.set(id, { resolve, reject });
        send({ t: 'svc', id, path, args });
      });
    },
    emit(event, data) { send({ t: 'emit', event, data }); },
    output(stream, text) { send({ t: 'out', stream, text }); },
    loadModule(path) {
      const id = ++nextId;
      return new Promise((resolve) => {
        loads.set(id, resolve);
        send({ t: 'load', id, path });
      });
    },
  });
  // After a catastrophic error the process is unsound: leave, and let the parent report the crash.
  created.onCatastrophicError = () => { process.exit(70); };
  return created;
}

process.on('message', (raw: unknown) => {
  const message = raw as ParentMessage;
  switch (message.t) {
    case 'init': core = start(message.settings); break;
    case 'run': {
      const spec: RunSpec = message.spec;
      void core?.run(spec).then((outcome) => send({ t: 'outcome', id: message.id, outcome }));
      break;
    }
    case 'send': {
      core?.send(message.event, message.data).then(
        () => send({ t: 'sent', id: message.id }),
        (error: unknown) => send({ t: 'sent', id: message.id, error: errorRecord(error) }),
      );
      break;
    }
    case 'svc-result': {
      const call = calls.get(message.id);
      calls.delete(message.id);
      if (message.ok) call?.resolve(message.payload as WireResult); else call?.reject(message.payload);
      break;
    }
    case 'loaded': {
      loads.get(message.id)?.(message.source);
      loads.delete(message.id);
      break;
    }
  }
});

process.on('disconnect', () => { core?.dispose(); process.exit(0); });

function errorRecord(error: unknown): { code: string; message: string } {
  const e = error as { code?: unknown; message?: unknown };
  return { code: typeof e.code === 'string' ? e.code : 'INTERNAL', message: typeof e.message === 'string' ? e.message : String(error) };
}

send({ t: 'ready' });
