// @ts-check
// One record of a CSV read back out of its bytes, as text cells: what the lead form needs
// to show a scored lead's own values ("Explain" in the lead table). The core reads the
// table; this only finds where each record starts (quotes can hold line breaks), once, and
// splits the one record asked for. The caller checks the record it got against the core's
// id for that row, so a file this simple reader would misread is never shown wrong.

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const DELIMITERS = [',', ';', '\t', '|'];

const utf8 = new TextDecoder('utf-8', { fatal: true });
const cp1252 = new TextDecoder('windows-1252');
/** @param {Uint8Array} bytes */
function decode(bytes) {
  try {
    return utf8.decode(bytes);
  } catch {
    return cp1252.decode(bytes);
  }
}

export class CsvRecords {
  /** @param {Uint8Array} bytes the CSV file */
  constructor(bytes) {
    this.bytes = bytes;
    const n = bytes.length;
    let at = n >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    // Record starts and ends (blank lines are no records), and the line each starts on.
    let starts = new Uint32Array(1024);
    let ends = new Uint32Array(1024);
    let lines = new Uint32Array(1024);
    let count = 0;
    let line = 1;
    let recordLine = 1;
    let quoted = false;
    let blank = true;
    /** @type {(begin: number, end: number) => void} */
    const push = (begin, end) => {
      if (blank) return;
      if (count === starts.length) {
        /** @type {(a: Uint32Array<ArrayBuffer>) => Uint32Array<ArrayBuffer>} */
        const grow = (a) => {
          const b = new Uint32Array(a.length * 2);
          b.set(a);
          return b;
        };
        starts = grow(starts);
        ends = grow(ends);
        lines = grow(lines);
      }
      starts[count] = begin;
      ends[count] = end;
      lines[count] = recordLine;
      count += 1;
    };
    let begin = at;
    for (; at < n; ++at) {
      const c = bytes[at];
      if (c === QUOTE) {
        quoted = !quoted;
        blank = false;
      } else if (c === LF) {
        line += 1;
        if (quoted) continue;
        push(begin, at > begin && bytes[at - 1] === CR ? at - 1 : at);
        begin = at + 1;
        recordLine = line;
        blank = true;
      } else if (blank && c !== CR && c !== 0x20 && c !== 0x09) {
        blank = false;
      }
    }
    push(begin, n > begin && bytes[n - 1] === CR ? n - 1 : n);
    this.starts = starts;
    this.ends = ends;
    this.lines = lines;
    this.count = count;
    this.delimiter = this.sniff();
    this.names = count ? this.cells(0) : [];
  }

  // The delimiter the header uses most, outside quotes (a comma when none).
  sniff() {
    if (!this.count) return ',';
    const text = decode(this.bytes.subarray(this.starts[0], this.ends[0]));
    let best = ',';
    let most = 0;
    for (const d of DELIMITERS) {
      let k = 0;
      let quoted = false;
      for (const ch of text) {
        if (ch === '"') quoted = !quoted;
        else if (ch === d && !quoted) k += 1;
      }
      if (k > most) {
        most = k;
        best = d;
      }
    }
    return best;
  }

  // The cells of record r (0 = the header) as text: quotes removed, unquoted cells trimmed.
  /** @param {number} r @returns {string[]} */
  cells(r) {
    const text = decode(this.bytes.subarray(this.starts[r], this.ends[r]));
    const out = [];
    let cell = '';
    let quoted = false;
    let wasQuoted = false;
    for (let i = 0; i < text.length; ++i) {
      const ch = text[i];
      if (quoted) {
        if (ch === '"' && text[i + 1] === '"') {
          cell += '"';
          i += 1;
        } else if (ch === '"') quoted = false;
        else cell += ch;
      } else if (ch === '"') {
        quoted = true;
        wasQuoted = true;
        cell = cell.trim();
      } else if (ch === this.delimiter) {
        out.push(wasQuoted ? cell : cell.trim());
        cell = '';
        wasQuoted = false;
      } else {
        cell += ch;
      }
    }
    out.push(wasQuoted ? cell : cell.trim());
    return out;
  }

  // Data row `row` (0-based, as the core numbers the scored rows) as {column: text}.
  /** @param {number} row @returns {Record<string, string> | null} */
  row(row) {
    const r = row + 1;
    if (r < 1 || r >= this.count) return null;
    const cells = this.cells(r);
    return Object.fromEntries(this.names.map((name, i) => [name, cells[i] ?? '']));
  }

  // The file line data row `row` starts on (what the core names a lead without an id).
  /** @param {number} row @returns {number | null} */
  line(row) {
    return row + 1 < this.count ? this.lines[row + 1] : null;
  }
}
