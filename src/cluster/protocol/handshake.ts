import { randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { deriveKey, FrameAuthenticator } from './frame-auth.js';
import type { FramedSocket } from './framed-socket.js';
import { ProtocolError } from './protocol-error.js';

/** Protocol versions this build speaks, newest last. */
export const PROTOCOL_VERSIONS: readonly number[] = [1];

/** Largest frame accepted before both sides are authenticated. */
export const HANDSHAKE_MAX_FRAME_BYTES = 4096;

/** Shortest shared secret accepted, in bytes. */
export const MIN_SECRET_BYTES = 16;

const NONCE_BYTES = 32;
const nonce = z.instanceof(Uint8Array).refine((b) => b.length === NONCE_BYTES, 'a 32-byte nonce');
const proof = z.instanceof(Uint8Array).refine((b) => b.length === 32, 'a 32-byte proof');
/** Node names: what logs, SITE SLAVES and the store use to name a slave. */
export const nodeNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" or "-", at most 64');

/** The master's first frame. */
export const challengeSchema = z.object({ t: z.literal('challenge'), versions: z.array(z.number().int()).min(1).max(16), nonce }).strict();
const helloSchema = z.object({
  t: z.literal('hello'), name: nodeNameSchema, version: z.number().int(), nonce, proof,
  capabilities: z.array(z.string().max(64)).max(64),
}).strict();
const welcomeSchema = z.object({ t: z.literal('welcome'), version: z.number().int(), proof }).strict();
/** The master's refusal of a peer. */
export const refusedSchema = z.object({ t: z.literal('refused'), reason: z.string().max(256) }).strict();

/** A DFS client's first frame: a user's credentials (protect them with TLS on the cluster port). */
export const clientLoginSchema = z.object({
  t: z.literal('login'), version: z.number().int(), user: z.string().min(1).max(256), password: z.string().max(1024),
}).strict();

/** A DFS client's login. */
export type ClientLogin = z.infer<typeof clientLoginSchema>;

/** Who connected to the cluster port: a slave (authenticated) or a client (still to authenticate as a user). */
export type AcceptedPeer = { readonly role: 'slave'; readonly hello: HandshakeResult } | { readonly role: 'client'; readonly login: ClientLogin };

/** What a successful handshake established. */
export interface HandshakeResult {
  /** The slave's name. */
  readonly name: string;
  /** The protocol version both sides use. */
  readonly version: number;
  /** What the slave says it can do (for example `tls-data`). */
  readonly capabilities: readonly string[];
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ProtocolError('malformed', `malformed ${what} frame`);
  return result.data;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Checks a shared secret is long enough; returns it as bytes. */
export function checkSecret(secret: string | Uint8Array): Buffer {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (bytes.length < MIN_SECRET_BYTES) throw new RangeError(`the cluster secret must be at least ${MIN_SECRET_BYTES} bytes`);
  return bytes;
}

function install(framed: FramedSocket, secret: Buffer, mNonce: Buffer, sNonce: Buffer, name: string, version: number, side: 'master' | 'slave'): void {
  const fromSlave = new FrameAuthenticator(deriveKey(secret, 'slave-frames', mNonce, sNonce, name, version));
  const fromMaster = new FrameAuthenticator(deriveKey(secret, 'master-frames', mNonce, sNonce, name, version));
  if (side === 'master') framed.installAuthenticators(fromSlave, fromMaster);
  else framed.installAuthenticators(fromMaster, fromSlave);
}

/**
 * The master's side: challenge with a fresh nonce, check the slave's HMAC proof (which also
 * covers the slave's fresh nonce, its name and the version), prove we know the secret too.
 * Neither the secret nor anything derived from it alone crosses the wire.
 */
export async function acceptHandshake(framed: FramedSocket, secret: Buffer, timeoutMs: number): Promise<HandshakeResult> {
  const peer = await acceptPeer(framed, secret, timeoutMs, false);
  if (peer.role !== 'slave') throw new ProtocolError('malformed', 'malformed hello frame');
  return peer.hello;
}

/**
 * {@link acceptHandshake} for a listener that also takes DFS clients: after the challenge, a
 * `login` frame (when `clients` is set) makes the peer a client, which the caller then
 * authenticates as a user; anything else must be a slave's hello.
 */
export async function acceptPeer(framed: FramedSocket, secret: Buffer, timeoutMs: number, clients: boolean): Promise<AcceptedPeer> {
  const mNonce = randomBytes(NONCE_BYTES);
  framed.send({ t: 'challenge', versions: PROTOCOL_VERSIONS, nonce: mNonce });
  const first = await framed.next(timeoutMs);
  if (clients) {
    const login = clientLoginSchema.safeParse(first);
    if (login.success) return { role: 'client', login: login.data };
  }
  return { role: 'slave', hello: acceptHello(framed, secret, mNonce, first) };
}

function acceptHello(framed: FramedSocket, secret: Buffer, mNonce: Buffer, first: unknown): HandshakeResult {
  const hello = parse(helloSchema, first, 'hello');
  const sNonce = Buffer.from(hello.nonce);
  if (!PROTOCOL_VERSIONS.includes(hello.version)) {
    framed.send({ t: 'refused', reason: `unsupported protocol version ${hello.version}` });
    throw new ProtocolError('version', `slave ${hello.name} asked for unsupported protocol version ${hello.version}`);
  }
  const expected = deriveKey(secret, 'slave-proof', mNonce, sNonce, hello.name, hello.version);
  if (sameBytes(sNonce, mNonce) || !sameBytes(expected, hello.proof)) {
    framed.send({ t: 'refused', reason: 'authentication failed' });
    throw new ProtocolError('auth-failed', `slave ${hello.name} failed authentication (wrong secret?)`);
  }
  framed.send({ t: 'welcome', version: hello.version, proof: deriveKey(secret, 'master-proof', mNonce, sNonce, hello.name, hello.version) });
  install(framed, secret, mNonce, sNonce, hello.name, hello.version, 'master');
  return { name: hello.name, version: hello.version, capabilities: hello.capabilities };
}

/** The slave's side of {@link acceptHandshake}: it also checks the master's proof, so a fake master is refused. */
export async function offerHandshake(framed: FramedSocket, secret: Buffer, name: string, capabilities: readonly string[], timeoutMs: number): Promise<HandshakeResult> {
  const challenge = parse(challengeSchema, await framed.next(timeoutMs), 'challenge');
  const common = PROTOCOL_VERSIONS.filter((v) => challenge.versions.includes(v));
  const version = common.at(-1);
  if (version === undefined) throw new ProtocolError('version', `the master speaks protocol versions ${challenge.versions.join(',')}, we speak ${PROTOCOL_VERSIONS.join(',')}`);
  const mNonce = Buffer.from(challenge.nonce);
  const sNonce = randomBytes(NONCE_BYTES);
  framed.send({ t: 'hello', name, version, nonce: sNonce, proof: deriveKey(secret, 'slave-proof', mNonce, sNonce, name, version), capabilities });
  const answer = await framed.next(timeoutMs);
  const refused = refusedSchema.safeParse(answer);
  if (refused.success) throw new ProtocolError('auth-failed', `the master refused us: ${refused.data.reason}`);
  const welcome = parse(welcomeSchema, answer, 'welcome');
  const expected = deriveKey(secret, 'master-proof', mNonce, sNonce, name, version);
  if (welcome.version !== version || !sameBytes(expected, welcome.proof)) throw new ProtocolError('auth-failed', 'the master could not prove it knows the secret');
  install(framed, secret, mNonce, sNonce, name, version, 'slave');
  return { name, version, capabilities };
}
