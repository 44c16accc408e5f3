import { describe, expect, it } from 'vitest'
import { sha256 } from '@noble/hashes/sha2.js'
import { verifyConsistency } from './consistency'
import { hashChildren } from './merkle'
import { decodeBase64 } from './bytes'
import fixture from './fixture.consistency.json'

const b64 = (s: string | null | undefined) => (s ? (decodeBase64(s) ?? new Uint8Array()) : new Uint8Array())
const rfc6962 = (l: Uint8Array, r: Uint8Array) => {
  const m = new Uint8Array(1 + l.length + r.length)
  m[0] = 1
  m.set(l, 1)
  m.set(r, 1 + l.length)
  return sha256(m)
}

interface Vector {
  file: string
  size1: number
  size2: number
  root1: string | null
  root2: string | null
  proof: string[] | null
  desc: string
  wantErr: boolean
}
const vectors: [string, Vector][] = (fixture.vectors as Vector[]).map((v) => [v.file, v])

describe('RFC 6962 consistency vectors', () => {
  it('has vectors', () => {
    expect(vectors.length).toBeGreaterThan(50)
  })
  it.each(vectors)('%s', (_, v) => {
    const err = verifyConsistency(
      rfc6962,
      BigInt(v.size1),
      BigInt(v.size2),
      (v.proof ?? []).map(b64),
      b64(v.root1),
      b64(v.root2),
    )
    expect(err !== null).toBe(v.wantErr)
  })
})

describe('a live demo network (BLAKE3)', () => {
  it('proves size 50 consistent with size 54', () => {
    const proof = [
      'fDxhxHMqsbPA5TPm9fvhjwVOn0qN9cJfCy7aCPNfI0I=',
      'a7f7fIutsOJiNjgyfiaue4HqMIKLs1D875w0QobRlS0=',
      'LyRSdMJ/MsLsGwwqClBB3haFXmntwa3PUbAsfsK2eXI=',
      'GHH4OecnSVySsmYhaGSNnj14KO3BMov1kz3D3fdwm3U=',
      'TNsnhCkK98HK1MMhxeenam+lBIQsoBe2SXkj6VIAZv8=',
    ].map(b64)
    const r50 = b64('nTMy3NFHHqBvX48fPrOGNp2isL9+yLq8Wok7n7+TjFo=')
    const r54 = b64('JTYhdBK5u1R+Pt5m2NX8reCf2NGxShApBjmWLilnaNA=')
    expect(verifyConsistency(hashChildren, 50n, 54n, proof, r50, r54)).toBeNull()
    expect(verifyConsistency(hashChildren, 50n, 54n, proof, r54, r54)).not.toBeNull()
  })
})
