/**
 * The server's `bytelens.disassemble` result, and the lookups the bytecode view needs:
 * source line -> lines of the listing (follow the cursor), listing line -> source line
 * (click in the listing), and listing line -> what its instruction does (the server's
 * `explanations`, for the hover). No `vscode` import.
 */

/** The server's command that returns the whole-file disassembly. */
export const SERVER_DISASSEMBLE_COMMAND = 'bytelens.disassemble';

export interface DisassemblyMapEntry {
    /** 0-based line of the source. */
    sourceLine: number;
    /** 0-based lines of the listing that show that source line's instructions. */
    disLines: number[];
}

export interface DisassembleResult {
    text: string;
    map: DisassemblyMapEntry[];
    error: string | null;
    /** The listing is of the top-level statements that compile, each on its own (docs/server.md). */
    partial?: boolean;
    /** Per distinct opname of the listing: its stack pictures and explanation (docs/protocol.md). */
    explanations?: Record<string, OpcodeExplanation>;
}

export interface OpcodeExplanation {
    picture: string;
    explanation: string;
}

function isExplanation(value: unknown): value is OpcodeExplanation {
    if (typeof value !== 'object' || value === null) {
        return false;
    }
    const entry = value as Record<string, unknown>;
    return typeof entry.picture === 'string' && typeof entry.explanation === 'string';
}

/**
 * The instruction a listing line shows, explained: the first word of the line that the server
 * explained (an opname), or undefined for headers, legends and blank lines.
 */
export function explainLine(
    line: string,
    explanations: Readonly<Record<string, OpcodeExplanation>> | undefined,
): ({ opname: string } & OpcodeExplanation) | undefined {
    if (!explanations) {
        return undefined;
    }
    for (const word of line.split(/\s+/)) {
        if (/^[A-Z][A-Z0-9_]+$/.test(word) && Object.prototype.hasOwnProperty.call(explanations, word)) {
            return { opname: word, ...explanations[word] };
        }
    }
    return undefined;
}

function isEntry(value: unknown): value is DisassemblyMapEntry {
    if (typeof value !== 'object' || value === null) {
        return false;
    }
    const entry = value as Record<string, unknown>;
    return (
        Number.isInteger(entry.sourceLine) &&
        Array.isArray(entry.disLines) &&
        entry.disLines.every((line) => Number.isInteger(line))
    );
}

export function isDisassembleResult(value: unknown): value is DisassembleResult {
    if (typeof value !== 'object' || value === null) {
        return false;
    }
    const result = value as Record<string, unknown>;
    return (
        typeof result.text === 'string' &&
        Array.isArray(result.map) &&
        result.map.every(isEntry) &&
        (result.error === null || typeof result.error === 'string') &&
        (result.explanations === undefined ||
            (typeof result.explanations === 'object' &&
                result.explanations !== null &&
                Object.values(result.explanations).every(isExplanation)))
    );
}

/** An inclusive span of 0-based lines. */
export interface LineSpan {
    start: number;
    end: number;
}

export class DisassemblyIndex {
    private readonly bySource = new Map<number, number[]>();
    private readonly byListing = new Map<number, number>();

    constructor(map: readonly DisassemblyMapEntry[]) {
        for (const { sourceLine, disLines } of map) {
            const lines = this.bySource.get(sourceLine) ?? [];
            lines.push(...disLines);
            this.bySource.set(sourceLine, lines);
            for (const line of disLines) {
                this.byListing.set(line, sourceLine);
            }
        }
        for (const [sourceLine, lines] of this.bySource) {
            this.bySource.set(sourceLine, [...new Set(lines)].sort((a, b) => a - b));
        }
    }

    /** The listing lines of `sourceLine`'s instructions, in order; empty when it has none. */
    listingLines(sourceLine: number): readonly number[] {
        return this.bySource.get(sourceLine) ?? [];
    }

    /** The source line an instruction line of the listing belongs to. */
    sourceLine(listingLine: number): number | undefined {
        return this.byListing.get(listingLine);
    }

    /** `sourceLine`'s listing lines as runs of consecutive lines, one highlight each. */
    listingSpans(sourceLine: number): LineSpan[] {
        return spans(this.listingLines(sourceLine));
    }
}

/** Sorted line numbers grouped into runs of consecutive lines. */
export function spans(lines: readonly number[]): LineSpan[] {
    const result: LineSpan[] = [];
    for (const line of lines) {
        const last = result[result.length - 1];
        if (last && line === last.end + 1) {
            last.end = line;
        } else {
            result.push({ start: line, end: line });
        }
    }
    return result;
}
