import { getEventListeners } from 'node:events';
import { ReplyCode } from '../parser/index.js';
import type { TransferResult, TransferStartInfo } from '../transfer/index.js';
import type { CommandContext, TransferTask } from './command-context.js';
import { isFsError } from '../vfs/index.js';
import { errorCode, replyForError } from './error-reply.js';
import type { RunningTransfer, SessionState } from './session-state.js';

/** What the transfer runner needs from its session. */
export interface TransferHost {
  readonly state: SessionState;
  readonly closeSignal: AbortSignal;
  /** Called when the transfer has written its final reply (re-arms the idle timer). */
  transferFinished(): void;
  /**
   * Whether anyone receives `event`: a payload nobody receives is not built (a 4 KiB file's
   * transfer otherwise builds four objects for no one). @default every event is built
   */
  readonly observes?: ((event: 'transferStart' | 'transferProgress' | 'transferEnd' | 'fileReceived' | 'incompleteUpload') => boolean) | undefined;
  /**
   * The controller of the session's previous transfer, kept here when it ended without an
   * abort and with no listener left, for the next: Node 20 spends about 8 us creating an
   * AbortSignal, a tenth of a small file's transfer. The runner takes it and puts it back.
   * @default undefined (a new controller per transfer unless the host is kept)
   */
  spareController?: AbortController | undefined;
}

const everyEvent = (): boolean => true;

/**
 * Starts `task` in the background so the control connection stays readable (ABOR, STAT,
 * NOOP, QUIT). Replies 150 when the data plane reports the start, then exactly one of
 * 226 / 426 / the mapped error. Returns the running transfer (also stored in the state).
 */
export function runTransfer(host: TransferHost, context: CommandContext, task: TransferTask): RunningTransfer {
  const { state } = host;
  const observes = host.observes ?? everyEvent;
  const controller = host.spareController ?? new AbortController();
  host.spareController = undefined;
  const onClose = (): void => {
    controller.abort();
  };
  host.closeSignal.addEventListener('abort', onClose, { once: true });
  const startedAt = new Date();
  const fields = { verb: task.verb, path: task.path, user: state.user?.name };
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const running: RunningTransfer = {
    verb: task.verb,
    path: task.path,
    startedAt,
    controller,
    bytes: 0,
    started: false,
    aborted: false,
    done,
    method: undefined,
  };
  state.transfer = running;
  // A transfer whose open is its lookup begins (for events and metrics) once the open succeeded.
  let announced = false;
  const announce = (): void => {
    if (announced) return;
    announced = true;
    if (observes('transferStart')) context.emit('transferStart', fields);
  };
  if (task.checkedByOpen !== true) announce();

  const sendStart = (info?: TransferStartInfo): void => {
    if (running.started) return;
    running.started = true;
    announce();
    void context.reply(ReplyCode.FileStatusOk, typeof task.startText === 'string' ? task.startText : task.startText(info));
  };

  const finish = async (result: TransferResult | undefined, error: unknown): Promise<void> => {
    host.closeSignal.removeEventListener('abort', onClose);
    if (state.transfer === running) state.transfer = undefined;
    host.transferFinished();
    const durationMs = Date.now() - startedAt.getTime();
    if (result !== undefined) {
      running.method = result.method;
      announce();
      sendStart();
      const text = task.doneText ?? 'Transfer complete';
      if (observes('transferEnd')) context.emit('transferEnd', { ...fields, ok: true, bytes: result.bytes, durationMs, method: result.method, errorCode: undefined });
      if (task.upload && observes('fileReceived')) context.emit('fileReceived', { user: fields.user, path: task.path, bytes: result.bytes });
      await context.reply(ReplyCode.ClosingDataConnection, text);
      return;
    }
    const aborted = running.aborted || controller.signal.aborted;
    if (!announced && !aborted && isFsError(error)) {
      // The open said what a lookup before it would have: the same reply, and no transfer.
      const reply = replyForError(error, task.verb);
      await context.reply(reply.code, reply.text);
      return;
    }
    announce();
    const mapped = aborted ? { code: ReplyCode.TransferAborted, text: 'Connection closed; transfer aborted', expected: true } : replyForError(error, task.verb);
    if (!mapped.expected) {
      context.logger.error({ sessionId: context.id, verb: task.verb, err: error }, 'transfer failed unexpectedly');
      context.emit('error', { error });
    }
    const code = aborted ? 'aborted' : errorCode(error);
    if (observes('transferEnd')) context.emit('transferEnd', { ...fields, ok: false, bytes: running.bytes, durationMs, method: undefined, errorCode: code });
    if (task.upload && observes('incompleteUpload')) context.emit('incompleteUpload', { user: fields.user, path: task.path, bytes: running.bytes, errorCode: code });
    await context.reply(mapped.code, mapped.text);
  };

  const progressObserved = observes('transferProgress');
  void (async () => {
    let result: TransferResult | undefined;
    let failure: unknown;
    try {
      result = await task.run({
        signal: controller.signal,
        type: state.type,
        onStart: sendStart,
        onProgress: (bytes: number) => {
          running.bytes = bytes;
          if (progressObserved) context.emit('transferProgress', { ...fields, bytes });
        },
      });
    } catch (error: unknown) {
      failure = error;
    }
    try {
      await finish(result, failure);
    } catch (error: unknown) {
      context.logger.error({ sessionId: context.id, err: error }, 'could not finish transfer');
    } finally {
      if (!controller.signal.aborted && getEventListeners(controller.signal, 'abort').length === 0) host.spareController = controller;
      resolveDone();
    }
  })();
  return running;
}
