/**
 * y-websocket's provider, with a cheaper start of its cross-tab sync.
 *
 * On every connect the stock provider broadcasts its whole document (a sync
 * step 2 against an empty state vector) to other tabs of the same event,
 * whether any are open or not: a full encode on every open, for nobody most
 * of the time. Here a tab announces itself with its state vector only (step
 * 1, which tabs already open answer with just what it lacks), and sends its
 * whole document once it has heard from another tab, which is what brings
 * that tab whatever only this one has (two tabs offline stay in step). A
 * tab that first hears a step 1 answers it with all the other tab lacks, and
 * sends nothing more.
 */
import * as bc from 'lib0/broadcastchannel';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import { WebsocketProvider } from 'y-websocket';

// y-websocket's message types (not exported by it).
const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const MESSAGE_QUERY_AWARENESS = 3;
/** y-protocols' sync step 1 (a state vector). */
const STEP_1 = syncProtocol.messageYjsSyncStep1;

/** A {@link WebsocketProvider} whose cross-tab sync encodes the whole document only when another tab is there. */
export class TabSyncProvider extends WebsocketProvider {
	/** This tab has sent its whole document to the others since it connected to the channel. */
	#sentState = false;
	#wrapped = false;

	/** Subscribes to the channel and announces this tab, without the whole document. */
	override connectBc(): void {
		if (this.disableBc) return;
		if (!this.#wrapped) {
			// The provider's own handler answers step 1s and applies updates; before it,
			// the first word from another tab makes this one send what it has.
			const handle = this._bcSubscriber;
			this._bcSubscriber = (data, origin) => {
				if (origin !== this && !this.#sentState && this.bcconnected) {
					this.#sentState = true;
					// A step 1 is answered below with all that tab lacks; anything else
					// (its answer to ours, its awareness) is a tab that may lack what we have.
					const bytes = new Uint8Array(data);
					const step1 = bytes[0] === MESSAGE_SYNC && bytes[1] === STEP_1;
					if (!step1) this.#publish(MESSAGE_SYNC, (encoder) => syncProtocol.writeSyncStep2(encoder, this.doc));
				}
				handle(data, origin);
			};
			this.#wrapped = true;
		}
		if (!this.bcconnected) {
			bc.subscribe(this.bcChannel, this._bcSubscriber);
			this.bcconnected = true;
			this.#sentState = false;
		}
		this.#publish(MESSAGE_SYNC, (encoder) => syncProtocol.writeSyncStep1(encoder, this.doc));
		this.#publish(MESSAGE_QUERY_AWARENESS, () => {});
		this.#publish(MESSAGE_AWARENESS, (encoder) =>
			encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.doc.clientID]))
		);
	}

	#publish(type: number, write: (encoder: encoding.Encoder) => void): void {
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, type);
		write(encoder);
		bc.publish(this.bcChannel, encoding.toUint8Array(encoder), this);
	}
}
