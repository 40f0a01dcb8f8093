// Looks for byte strings in the memory of a running process, as someone who can read
// /proc/PID/mem (root, or the same user when the process is dumpable) would: every
// readable mapping is read and searched.
import { closeSync, openSync, readFileSync, readSync } from "node:fs";

/** The readable mappings of process `pid` that have pages in RAM: [{ start, end, name }].
 * (A mapping with nothing resident holds nothing to find; there is no swap here.) */
function mappings(pid) {
  const out = [];
  let current = null;
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const header = line.match(/^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/);
    if (header) {
      current = {
        start: Number.parseInt(header[1], 16),
        end: Number.parseInt(header[2], 16),
        perms: header[3],
        name: header[4] || "[anonymous]",
      };
      out.push(current);
    } else if (current && line.startsWith("Rss:")) {
      current.rss = Number.parseInt(line.slice(4), 10);
    }
  }
  // Readable, resident, and not a kernel page that /proc/PID/mem cannot read.
  return out.filter(
    (m) => m.perms.startsWith("r") && m.rss > 0 && !["[vvar]", "[vsyscall]", "[vvar_vclock]"].includes(m.name),
  );
}

/** Where each of `needles` ({ label, bytes }) occurs in process `pid`'s memory:
 * [{ label, address, mapping }]. Also returns how many bytes were scanned. */
export function scanProcess(pid, needles) {
  const fd = openSync(`/proc/${pid}/mem`, "r");
  const found = [];
  let scanned = 0;
  const chunk = 1 << 20;
  const overlap = Math.max(...needles.map((n) => n.bytes.length)) - 1;
  try {
    for (const m of mappings(pid)) {
      for (let at = m.start; at < m.end; at += chunk) {
        const length = Math.min(chunk + overlap, m.end - at);
        const buffer = Buffer.alloc(length);
        let read;
        try {
          read = readSync(fd, buffer, 0, length, at);
        } catch {
          break; // An unreadable mapping (a guard page): skip the rest of it.
        }
        scanned += Math.min(read, chunk);
        const view = buffer.subarray(0, read);
        for (const needle of needles) {
          let index = view.indexOf(needle.bytes);
          while (index !== -1 && index < chunk) {
            found.push({ label: needle.label, address: `0x${(at + index).toString(16)}`, mapping: m.name });
            index = view.indexOf(needle.bytes, index + 1);
          }
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return { found, scanned };
}

/** The forms a 32-byte vault key takes in memory: raw, and as the hex of SQLCipher's
 * raw-key literal (lower and upper case). */
export function keyForms(key) {
  const hex = key.toString("hex");
  return [
    { label: "raw key", bytes: key },
    { label: "hex key", bytes: Buffer.from(hex) },
    { label: "HEX key", bytes: Buffer.from(hex.toUpperCase()) },
  ];
}
