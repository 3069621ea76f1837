/**
 * The relay's PIN API (sync-server/api.ts): set my PIN, and on another
 * device continue as myself with it.
 */
import { API_PATHS } from '../model/relay-protocol.js';
import { memberSecret, organizerSecret, saveMemberSecret } from '../device/secrets.js';

/** Why a PIN request failed, for the person. */
export type PinError = 'wrong-pin' | 'locked' | 'no-pin' | 'offline' | 'no-secret' | 'failed';

/** The outcome of a PIN request. */
export type PinResult = { ok: true } | { ok: false; error: PinError; retryAfterSeconds?: number };

async function post(path: string, body: object): Promise<{ status: number; body: Record<string, unknown> }> {
	const res = await fetch(path, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body)
	});
	const text = await res.text();
	let parsed: Record<string, unknown> = {};
	try {
		parsed = text ? JSON.parse(text) : {};
	} catch {
		// A proxy's HTML error page: the status says enough.
	}
	return { status: res.status, body: parsed };
}

function failure(status: number, body: Record<string, unknown>): PinResult {
	const error = body.error;
	if (error === 'wrong-pin' || error === 'locked' || error === 'no-pin') {
		const retry = typeof body.retryAfterSeconds === 'number' ? body.retryAfterSeconds : undefined;
		return { ok: false, error, retryAfterSeconds: retry };
	}
	return { ok: false, error: status === 0 ? 'offline' : 'failed' };
}

/** Sets (or changes) the PIN of a member this device writes as. */
export async function setPin(eventId: string, memberId: string, pin: string): Promise<PinResult> {
	const secret = await memberSecret(eventId, memberId);
	if (!secret) return { ok: false, error: 'no-secret' };
	try {
		const { status, body } = await post(API_PATHS.pin(eventId), { member: memberId, secret, pin });
		return status === 204 ? { ok: true } : failure(status, body);
	} catch {
		return { ok: false, error: 'offline' };
	}
}

/** Proves a member's PIN; on success this device holds a secret for that member. */
export async function recoverWithPin(eventId: string, memberId: string, pin: string): Promise<PinResult> {
	try {
		const { status, body } = await post(API_PATHS.recover(eventId), { member: memberId, pin });
		if (status !== 200 || typeof body.secret !== 'string') return failure(status, body);
		await saveMemberSecret(eventId, memberId, body.secret);
		return { ok: true };
	} catch {
		return { ok: false, error: 'offline' };
	}
}

/** The organizer removes a member's PIN (they can set a new one from their device). */
export async function resetPin(eventId: string, memberId: string): Promise<PinResult> {
	const organizer = await organizerSecret(eventId);
	if (!organizer) return { ok: false, error: 'no-secret' };
	try {
		const { status, body } = await post(API_PATHS.pinReset(eventId), { member: memberId, organizer });
		return status === 204 ? { ok: true } : failure(status, body);
	} catch {
		return { ok: false, error: 'offline' };
	}
}
