import { DEFAULT_MLST_FACTS } from '../parser/index.js';
import type { SessionState } from './session-state.js';

/** A fresh session state (phase `connected`). */
export function initialState(): SessionState {
  return {
    phase: 'connected',
    userName: undefined,
    user: undefined,
    cwd: '/',
    type: 'ascii',
    renameFrom: undefined,
    restOffset: undefined,
    epsvAll: false,
    pretIntent: undefined,
    mlstFacts: DEFAULT_MLST_FACTS,
    hashAlgorithm: 'sha256',
    loginAttempts: 0,
    clientName: undefined,
    tls: { control: false, protection: 'clear', pbszDone: false },
    transfer: undefined,
  };
}

/** REIN: forgets the user and everything tied to the login; TLS state stays (RFC 4217 section 13). */
export function resetLogin(state: SessionState): void {
  const fresh = initialState();
  state.phase = 'connected';
  state.userName = undefined;
  state.user = undefined;
  state.cwd = fresh.cwd;
  state.type = fresh.type;
  state.renameFrom = undefined;
  state.restOffset = undefined;
  state.epsvAll = false;
  state.pretIntent = undefined;
  state.mlstFacts = fresh.mlstFacts;
  state.hashAlgorithm = fresh.hashAlgorithm;
}
