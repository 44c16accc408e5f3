// A small TOML reader for model files (the subset they use: tables,
// arrays of tables, strings, numbers, booleans, bare dates, arrays and
// inline tables). Integers become numbers; other numbers are kept as their
// text so nothing is rounded.
// Not a general TOML parser: anything else is refused with the line number.

export class TomlError extends Error {
  constructor(
    readonly line: number,
    what: string,
  ) {
    super(`line ${line}: ${what}`)
    this.name = 'TomlError'
  }
}

type Value = string | number | boolean | Value[] | { [k: string]: Value }
type Table = { [k: string]: Value }

class Cursor {
  i = 0
  constructor(
    readonly s: string,
    readonly line: number,
  ) {}
  ws() {
    while (this.i < this.s.length && (this.s[this.i] === ' ' || this.s[this.i] === '\t')) this.i++
  }
  peek() {
    return this.s[this.i]
  }
  fail(what: string): never {
    throw new TomlError(this.line, what)
  }
}

const ESC: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' }

function basicString(c: Cursor): string {
  c.i++ // opening quote
  let out = ''
  while (c.i < c.s.length) {
    const ch = c.s[c.i++]!
    if (ch === '"') return out
    if (ch === '\\') {
      const e = c.s[c.i++] ?? ''
      if (e in ESC) out += ESC[e]
      else if (e === 'u' || e === 'U') {
        const n = e === 'u' ? 4 : 8
        const hex = c.s.slice(c.i, c.i + n)
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) c.fail('bad unicode escape')
        out += String.fromCodePoint(parseInt(hex, 16))
        c.i += n
      } else c.fail(`unknown escape \\${e}`)
    } else out += ch
  }
  return c.fail('unterminated string')
}

function literalString(c: Cursor): string {
  const end = c.s.indexOf("'", c.i + 1)
  if (end < 0) c.fail('unterminated string')
  const v = c.s.slice(c.i + 1, end)
  c.i = end + 1
  return v
}

function key(c: Cursor): string[] {
  const parts: string[] = []
  for (;;) {
    c.ws()
    const ch = c.peek()
    if (ch === '"') parts.push(basicString(c))
    else if (ch === "'") parts.push(literalString(c))
    else {
      const m = /^[A-Za-z0-9_-]+/.exec(c.s.slice(c.i))
      if (!m) c.fail('expected a key')
      parts.push(m[0])
      c.i += m[0].length
    }
    c.ws()
    if (c.peek() !== '.') return parts
    c.i++
  }
}

function value(c: Cursor): Value {
  c.ws()
  const ch = c.peek()
  if (ch === '"') {
    if (c.s.startsWith('"""', c.i)) c.fail('multi-line strings are not supported in model files')
    return basicString(c)
  }
  if (ch === "'") return literalString(c)
  if (ch === '[') {
    c.i++
    const arr: Value[] = []
    for (;;) {
      c.ws()
      if (c.peek() === ']') {
        c.i++
        return arr
      }
      arr.push(value(c))
      c.ws()
      if (c.peek() === ',') c.i++
      else if (c.peek() !== ']') c.fail('expected , or ] in array')
    }
  }
  if (ch === '{') {
    c.i++
    const t: Table = {}
    c.ws()
    if (c.peek() === '}') {
      c.i++
      return t
    }
    for (;;) {
      const k = key(c)
      if (c.peek() !== '=') c.fail('expected = in inline table')
      c.i++
      assign(t, k, value(c), c)
      c.ws()
      if (c.peek() === ',') c.i++
      else if (c.peek() === '}') {
        c.i++
        return t
      } else c.fail('expected , or } in inline table')
    }
  }
  const m = /^[^\s,\]}#]+/.exec(c.s.slice(c.i))
  if (!m) c.fail('expected a value')
  c.i += m[0].length
  const w = m[0]
  if (w === 'true') return true
  if (w === 'false') return false
  if (/^\d{4}-\d{2}-\d{2}$/.test(w)) return w
  if (/^[+-]?\d[\d_]*$/.test(w)) {
    const n = Number(w.replace(/_/g, ''))
    return Number.isSafeInteger(n) ? n : w.replace(/_/g, '')
  }
  if (/^[+-]?(\d[\d_]*)(\.\d[\d_]*)?([eE][+-]?\d+)?$/.test(w)) return w.replace(/_/g, '')
  return c.fail(`unsupported value ${w}`)
}

function assign(t: Table, path: string[], v: Value, c: Cursor) {
  let cur = t
  path.slice(0, -1).forEach((p) => {
    const next = cur[p]
    if (next === undefined) cur = cur[p] = {}
    else if (typeof next === 'object' && !Array.isArray(next)) cur = next
    else c.fail(`${p} is not a table`)
  })
  const last = path[path.length - 1]!
  if (last in cur) c.fail(`duplicate key ${path.join('.')}`)
  cur[last] = v
}

/** Strips a comment (a # outside strings). */
function stripComment(line: string): string {
  let q: string | null = null
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (q) {
      if (ch === '\\' && q === '"') i++
      else if (ch === q) q = null
    } else if (ch === '"' || ch === "'") q = ch
    else if (ch === '#') return line.slice(0, i)
  }
  return line
}

function depth(s: string): number {
  let d = 0
  let q: string | null = null
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]
    if (q) {
      if (ch === '\\' && q === '"') i++
      else if (ch === q) q = null
    } else if (ch === '"' || ch === "'") q = ch
    else if (ch === '[' || ch === '{') d++
    else if (ch === ']' || ch === '}') d--
  }
  return d
}

/** Parses a model file's TOML into its JSON form (numbers as their text). */
export function parseModelToml(text: string): Record<string, unknown> {
  const root: Table = {}
  let current: Table = root
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1
    let line = stripComment(lines[n]!).trim()
    if (!line) continue
    if (line.startsWith('[[')) {
      const m = /^\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]$/.exec(line)
      if (!m) throw new TomlError(lineNo, 'bad array-of-tables header')
      const path = m[1]!.split('.')
      let parent: Table = root
      for (const p of path.slice(0, -1)) {
        const next = parent[p]
        if (next === undefined) parent = parent[p] = {}
        else if (typeof next === 'object' && !Array.isArray(next)) parent = next
        else throw new TomlError(lineNo, `${p} is not a table`)
      }
      const last = path[path.length - 1]!
      const arr = (parent[last] ??= []) as Value
      if (!Array.isArray(arr)) throw new TomlError(lineNo, `${last} is not an array of tables`)
      current = {}
      arr.push(current)
      continue
    }
    if (line.startsWith('[')) {
      const m = /^\[\s*([A-Za-z0-9_.-]+)\s*\]$/.exec(line)
      if (!m) throw new TomlError(lineNo, 'bad table header')
      let t: Table = root
      for (const p of m[1]!.split('.')) {
        let next = t[p]
        if (next === undefined) next = t[p] = {}
        if (Array.isArray(next)) {
          const lastEl = next[next.length - 1]
          if (typeof lastEl !== 'object' || lastEl === null || Array.isArray(lastEl)) throw new TomlError(lineNo, `${p} is not a table`)
          t = lastEl
        } else if (typeof next === 'object') t = next
        else throw new TomlError(lineNo, `${p} is not a table`)
      }
      current = t
      continue
    }
    // a value may continue over lines (multi-line arrays)
    while (depth(line) > 0 && n + 1 < lines.length) {
      n++
      line += ' ' + stripComment(lines[n]!).trim()
    }
    const c = new Cursor(line, lineNo)
    const k = key(c)
    if (c.peek() !== '=') c.fail('expected =')
    c.i++
    const v = value(c)
    c.ws()
    if (c.i < c.s.length) c.fail('unexpected text after the value')
    assign(current, k, v, c)
  }
  return root
}
