/**
 * The floor line of the relay benchmarks (issue 19): a bare websocket
 * fan-out server with no Yjs and no storage. It forwards every update and
 * presence frame to the room's other sockets as received, and answers a
 * sync step 1 with an empty step 2 so the benchmark clients count as
 * synced. What a relay costs beyond this is what its document, checks and
 * disk cost on the same machine.
 */
import { WebSocketServer } from 'ws';

/** [sync, step 2, an empty update (no structs, no deletions) as a length-prefixed array]. */
const EMPTY_STEP_2 = Buffer.from([0, 1, 2, 0, 0]);
const port = Number(process.env.PORT);
/** Sockets by room (the URL path). */
const rooms = new Map();

const server = new WebSocketServer({ host: '127.0.0.1', port }, () => console.log(`floor running at ${port}`));
server.on('connection', (ws, req) => {
	const room = (req.url ?? '/').split('?')[0];
	let peers = rooms.get(room);
	if (!peers) rooms.set(room, (peers = new Set()));
	peers.add(ws);
	ws.on('message', (data) => {
		// [0, 0, …] sync step 1; [0, 1, …] step 2 (nothing to store); [0, 2, …] update; [1, …] presence.
		if (data[0] === 0 && data[1] === 0) ws.send(EMPTY_STEP_2);
		else if ((data[0] === 0 && data[1] === 2) || data[0] === 1) {
			for (const peer of peers) if (peer !== ws && peer.readyState === peer.OPEN) peer.send(data);
		}
	});
	ws.on('close', () => {
		peers.delete(ws);
		if (!peers.size) rooms.delete(room);
	});
});
