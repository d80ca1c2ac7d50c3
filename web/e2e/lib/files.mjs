// The files the attachment steps send, generated at run time (nothing
// binary is checked in): a small PNG, a minimal valid PDF and a fake
// Windows executable the server must refuse.
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import zlib from 'node:zlib'

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(buf) {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(td))
  return Buffer.concat([len, td, crc])
}

/** png draws a w×h RGB picture (a diagonal blue/orange gradient with a white check mark). */
export function png(w = 48, h = 48) {
  const raw = Buffer.alloc((w * 3 + 1) * h)
  for (let y = 0; y < h; y++) {
    const row = y * (w * 3 + 1)
    raw[row] = 0 // filter: none
    for (let x = 0; x < w; x++) {
      const t = (x + y) / (w + h)
      let rgb = [Math.round(42 + 200 * t), Math.round(91 + 60 * t), Math.round(215 - 170 * t)]
      const onCheck = (x > w * 0.2 && x < w * 0.45 && Math.abs(y - (x + h * 0.3)) < 3) ||
        (x >= w * 0.45 && x < w * 0.8 && Math.abs(y - (h * 1.3 - x)) < 3)
      if (onCheck) rgb = [255, 255, 255]
      raw.set(rgb, row + 1 + x * 3)
    }
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/** pdf is a one-page PDF 1.4 with a line of text and a correct xref table. */
export function pdf(text = 'Orcamento CHATSPOT - teste e2e') {
  const stream = `BT /F1 18 Tf 72 720 Td (${text.replace(/[()\\]/g, '\\$&')}) Tj ET`
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(stream)} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]
  let out = '%PDF-1.4\n'
  const offsets = []
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out))
    out += `${i + 1} 0 obj\n${o}\nendobj\n`
  })
  const xref = Buffer.byteLength(out)
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}

/** exe starts like a Windows executable ("MZ" and a DOS header), which the server must refuse. */
export function exe() {
  const b = Buffer.alloc(256)
  b.write('MZ', 0, 'ascii')
  b.writeUInt16LE(0x90, 2)
  b.writeUInt32LE(0x80, 0x3c) // e_lfanew
  b.write('PE\0\0', 0x80, 'binary')
  b.write('This program cannot be run in DOS mode.', 0x4e, 'ascii')
  return b
}

/** writeFixtures writes the three files into dir and describes them. */
export async function writeFixtures(dir) {
  const files = {
    png: { name: 'comprovante.png', type: 'image/png', data: png() },
    pdf: { name: 'orcamento.pdf', type: 'application/pdf', data: pdf() },
    exe: { name: 'programa.exe', type: 'application/octet-stream', data: exe() },
  }
  for (const f of Object.values(files)) {
    f.path = path.join(dir, f.name)
    f.size = f.data.length
    await writeFile(f.path, f.data)
  }
  return { dir, ...files }
}
