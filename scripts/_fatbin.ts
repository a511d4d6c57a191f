// What a CUDA library carries: the fat binaries that nvcc embeds in it (magic 0xBA55ED50), each
// a list of entries of machine code (ELF, kind 2) or PTX (kind 1) with its architecture and,
// for PTX, its ISA version. The layout is nvcc's (the one cuobjdump reads), undocumented:
//   fat binary header: u32 magic, u16 version, u16 header size, u64 size of the entries
//   entry header: u16 kind, u16 version, u32 header size, u64 payload size, ..., u32 ISA
//   version at 24 (PTX: major << 16 | minor), u32 architecture at 28 (75 for sm_75)

const MAGIC = 0xba55ed50;

/** The code a library carries, over all its fat binaries. */
export interface FatbinContents {
  /** Architectures of its machine code, such as `[75, 80, 90]`. */
  machine: number[];
  /** Its PTX: architecture and ISA version (`"9.0"`). */
  ptx: { arch: number; isa: string }[];
}

/** Reads the fat binaries of a library file's bytes. */
export function fatbinContents(bytes: Uint8Array): FatbinContents {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const machine = new Set<number>();
  const ptx = new Map<string, { arch: number; isa: string }>();
  for (let at = 0; at + 16 <= bytes.length; at += 4) {
    if (view.getUint32(at, true) !== MAGIC) continue;
    const headerSize = view.getUint16(at + 6, true);
    const end = at + headerSize + Number(view.getBigUint64(at + 8, true));
    if (headerSize < 16 || end > bytes.length) continue; // the magic number by chance
    for (let e = at + headerSize; e + 32 <= end;) {
      const kind = view.getUint16(e, true);
      const entryHeader = view.getUint32(e + 4, true);
      const payload = Number(view.getBigUint64(e + 8, true));
      const isa = view.getUint32(e + 24, true);
      const arch = view.getUint32(e + 28, true);
      if (kind === 2) machine.add(arch);
      if (kind === 1) {
        const entry = { arch, isa: `${isa >>> 16}.${isa & 0xffff}` };
        ptx.set(JSON.stringify(entry), entry);
      }
      if (entryHeader === 0) break;
      e += entryHeader + payload;
    }
    at = end - 4;
  }
  return {
    machine: [...machine].sort((a, b) => a - b),
    ptx: [...ptx.values()].sort((a, b) => a.arch - b.arch),
  };
}

/** The contents in words: `"sm_75, sm_80, sm_90 machine code; compute_75 PTX (ISA 9.0)"`. */
export function describeFatbin(c: FatbinContents): string {
  const machine = c.machine.map((a) => `sm_${a}`).join(", ");
  const ptx = c.ptx.map((p) => `compute_${p.arch} PTX (ISA ${p.isa})`).join(", ");
  return [machine && `${machine} machine code`, ptx].filter((s) => s !== "").join("; ") ||
    "no device code";
}
