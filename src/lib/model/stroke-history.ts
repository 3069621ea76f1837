/**
 * Undo and redo of one member's strokes as marks, not as document edits.
 *
 * Undoing a stroke writes a new stroke that puts back the marks it changed,
 * rather than removing what the stroke wrote. A member's log can then be
 * folded (log-compaction.ts, sealed-log.ts) at any time during a visit, and
 * undo still works: a folded stroke has no records left to remove, but its
 * marks can always be written back. Folding while someone paints is what
 * keeps a private event's document within its size budget
 * (docs/BENCHMARKS.md).
 *
 * A slot someone else changed since the stroke (the same member on another
 * device) is left as it is: undo takes back only what is still this
 * device's doing.
 */
import type { Mark } from './event-doc.js';
import { quarterSlot, slotQuarter } from './stroke-log.js';

/** One slot a stroke changed: its key, its mark before and after. */
export type SlotChange = readonly [slot: string, before: Mark, after: Mark];

/** One undo step: each changed slot's mark before the step and after it. */
type Step = Map<string, { before: Mark; after: Mark }>;

/** Reads a slot's mark as it is now. */
export type CurrentMark = (slot: string) => Mark;

/** The undo and redo stacks of one member's strokes on one device. */
export class StrokeHistory {
	#undo: Step[] = [];
	#redo: Step[] = [];
	/** The step a continuing stroke joins; `null` once a new step has been asked for. */
	#open: Step | null = null;

	/**
	 * Records a stroke as it is written. A stroke that `continues` joins the
	 * step before it (the second tap of a range); any other starts a step of
	 * its own, even if it changed nothing, so a stroke continuing it never
	 * joins an older step. A stroke that changed something clears redo.
	 */
	record(changes: Iterable<SlotChange>, continues: boolean): void {
		if (!continues) this.#open = null;
		let step = this.#open;
		for (const [slot, before, after] of changes) {
			if (before === after) continue;
			if (!step) {
				step = new Map();
				this.#open = step;
				this.#undo.push(step);
				this.#redo = [];
			}
			const known = step.get(slot);
			step.set(slot, { before: known ? known.before : before, after });
		}
	}

	/** Whether there is a step to undo. */
	get canUndo(): boolean {
		return this.#undo.length > 0;
	}

	/** Whether there is an undone step to redo. */
	get canRedo(): boolean {
		return this.#redo.length > 0;
	}

	/**
	 * Takes the last step back: returns the marks to write (as one stroke,
	 * not recorded), or `null` when there is nothing to undo. Slots no longer
	 * at the step's mark are left out. The step moves to redo.
	 */
	undo(current: CurrentMark): Map<string, Mark> | null {
		const step = this.#undo.pop();
		if (!step) return null;
		this.#open = null;
		this.#redo.push(step);
		return marksFor(step, current, 'after', 'before');
	}

	/** Does the last undone step again; see {@link undo}. */
	redo(current: CurrentMark): Map<string, Mark> | null {
		const step = this.#redo.pop();
		if (!step) return null;
		this.#open = null;
		this.#undo.push(step);
		return marksFor(step, current, 'before', 'after');
	}

	/** Forgets every step (the grid's blocks changed: the slots no longer mean the same times). */
	clear(): void {
		this.#undo = [];
		this.#redo = [];
		this.#open = null;
	}
}

/**
 * The quarter-hour keys a block of `minutes` starting at `slot` covers. In a
 * stroke log undo records and writes back quarter-hours, not blocks: after
 * the organizer changes the block length, a block's quarter-hours can hold
 * different marks, and writing the block back whole would change the ones
 * the stroke never touched. A key that names no quarter-hour is its own.
 */
export function blockQuarters(slot: string, minutes: number): string[] {
	const n = Math.max(1, Math.round(minutes / 15));
	// Dated keys are instants: counted from the block's own start, any epoch gives the same keys.
	const epoch = slot.startsWith('w') ? 0 : Date.parse(slot);
	const at = n > 1 && Number.isFinite(epoch) ? slotQuarter(slot, epoch) : null;
	if (!at) return [slot];
	return Array.from({ length: n }, (_, i) => quarterSlot(at.q + i, at.weekly, epoch));
}

function marksFor(
	step: Step,
	current: CurrentMark,
	from: 'before' | 'after',
	to: 'before' | 'after'
): Map<string, Mark> {
	const out = new Map<string, Mark>();
	for (const [slot, change] of step) if (current(slot) === change[from]) out.set(slot, change[to]);
	return out;
}
