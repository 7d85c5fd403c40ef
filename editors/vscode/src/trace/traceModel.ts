/**
 * Stepping through a trace: where we are, where each move goes, and what the editor highlights.
 * The panel and the key bindings only call `move`; no `vscode` import.
 */

import { TraceStep } from './traceTypes';

/**
 * `first`, `previous`, `next`, `last`; `nextLine` / `previousLine` skip to the next (previous)
 * step on another line of the same call or of a caller, stepping over calls as a debugger's
 * "step over" does; a number goes to that 0-based step.
 */
export type Move = 'first' | 'previous' | 'next' | 'last' | 'nextLine' | 'previousLine' | number;

export const MOVES: readonly Move[] = ['first', 'previous', 'next', 'last', 'nextLine', 'previousLine'];

export function isMove(value: unknown): value is Move {
    return (typeof value === 'number' && Number.isInteger(value)) || MOVES.includes(value as Move);
}

export interface StepView {
    /** 0-based. */
    index: number;
    total: number;
    step: TraceStep;
    /** The 0-based line to highlight in the traced file; undefined for a step elsewhere or without a line. */
    editorLine?: number;
    isFirst: boolean;
    isLast: boolean;
    /** The frames at this step, outermost (depth 0) first, ending with the step's own. */
    callStack: Frame[];
}

export interface Frame {
    /** 0-based index of the frame's most recent step: its text is that step's `display.frames` entry. */
    step: number;
    function: string;
    /** The line the frame was at: the call being made, for the callers. */
    line: number | null;
    depth: number;
    file?: string;
}

export class TraceStepper {
    private position = 0;

    constructor(private readonly steps: readonly TraceStep[]) {}

    get index(): number {
        return this.position;
    }

    get count(): number {
        return this.steps.length;
    }

    /** Moves and says whether the position changed. Out-of-range targets stop at the ends. */
    move(to: Move): boolean {
        const target = this.target(to);
        const clamped = Math.max(0, Math.min(this.steps.length - 1, target));
        if (this.steps.length === 0 || clamped === this.position) {
            return false;
        }
        this.position = clamped;
        return true;
    }

    view(): StepView | undefined {
        const step = this.steps[this.position];
        if (!step) {
            return undefined;
        }
        const inTracedFile = step.file === undefined || step.file === null;
        return {
            index: this.position,
            total: this.steps.length,
            step,
            editorLine: inTracedFile && step.line !== null && step.line >= 1 ? step.line - 1 : undefined,
            isFirst: this.position === 0,
            isLast: this.position === this.steps.length - 1,
            callStack: this.callStack(),
        };
    }

    /** Each caller's most recent step before this one, found by walking back to shallower depths. */
    private callStack(): Frame[] {
        const frames: Frame[] = [];
        let depth = Infinity;
        for (let i = this.position; i >= 0 && depth > 0; i--) {
            const step = this.steps[i];
            if (step.depth < depth) {
                depth = step.depth;
                frames.push({ step: i, function: step.function, line: step.line, depth: step.depth, ...(step.file ? { file: step.file } : {}) });
            }
        }
        return frames.reverse();
    }

    private target(to: Move): number {
        switch (to) {
            case 'first':
                return 0;
            case 'previous':
                return this.position - 1;
            case 'next':
                return this.position + 1;
            case 'last':
                return this.steps.length - 1;
            case 'nextLine':
                return this.otherLine(+1);
            case 'previousLine':
                return this.otherLine(-1);
            default:
                return to;
        }
    }

    /** The nearest step in `direction` at this depth or shallower whose line differs from this step's. */
    private otherLine(direction: 1 | -1): number {
        const here = this.steps[this.position];
        if (!here) {
            return this.position;
        }
        for (let i = this.position + direction; i >= 0 && i < this.steps.length; i += direction) {
            const step = this.steps[i];
            if (step.depth < here.depth || (step.depth === here.depth && (step.line !== here.line || step.function !== here.function))) {
                return i;
            }
        }
        return direction > 0 ? this.steps.length - 1 : 0;
    }
}
