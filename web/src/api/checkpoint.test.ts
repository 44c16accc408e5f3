import { describe, expect, it } from 'vitest'
import vectors from '../verify/vectors.json'
import { ApiError, type Schemas } from './client'
import { identifySigners, networkKeys, readCheckpoint } from './checkpoint'

// A valid bundle of the shared vectors: its checkpoint and the validator keys that signed it.
const genuine = vectors.cases.find((c) => c.kind === 'inclusion' && c.expect === 'verified')
if (!genuine) throw new Error('vectors.json has no verified inclusion bundle')
const bundle = JSON.parse(genuine.bundle) as { checkpoint: string; validators: string[]; quorum: number }

function network(validators: string[]): Schemas['NetworkView'] {
  const names = validators.map((v) => v.split('+')[0] ?? '')
  return {
    network: 'test.tanji.local',
    genesis_tx: '00'.repeat(32),
    validators,
    validator_nodes: [],
    quorum: bundle.quorum,
    validator_history: [{ change: 'genesis', change_index: 0, first_size: 1, validators: names, quorum: bundle.quorum }],
    observers: [],
    role: 'validator',
  }
}

/** The checkpoint with one character of the first line's signature (not its key id) changed. */
function tamperFirstSignature(text: string): string {
  const at = text.indexOf('\n\n') + 2
  const line = text.slice(at, text.indexOf('\n', at))
  const sig = line.slice(line.lastIndexOf(' ') + 1)
  const flipped = sig.slice(0, 40) + (sig[40] === 'A' ? 'B' : 'A') + sig.slice(41)
  return text.replace(line, line.slice(0, line.length - sig.length) + flipped)
}

describe('the network page reads checkpoints with the verifier', () => {
  it('identifies every validator line and verifies it; a witness the network does not list is unknown', () => {
    const signers = identifySigners(readCheckpoint(bundle.checkpoint), networkKeys(network(bundle.validators)))
    const validators = signers.filter((s) => s.name.startsWith('validator-'))
    expect(validators.length).toBeGreaterThanOrEqual(bundle.quorum)
    for (const s of validators) expect(s).toMatchObject({ role: 'validator', keyMatches: true, verified: true })
    // the vectors' checkpoint is also witnessed; no observer is registered here
    expect(signers.find((s) => s.name === 'witness.example/w1')).toMatchObject({ role: 'unknown', verified: false })
  })

  it('does not verify a line whose signature was changed', () => {
    const signers = identifySigners(readCheckpoint(tamperFirstSignature(bundle.checkpoint)), networkKeys(network(bundle.validators)))
    expect(signers[0]).toMatchObject({ role: 'validator', keyMatches: true, verified: false })
    expect(signers.slice(1).filter((s) => s.role === 'validator').every((s) => s.verified)).toBe(true)
  })

  it('calls a line by a key the network does not list unknown', () => {
    const signers = identifySigners(readCheckpoint(bundle.checkpoint), networkKeys(network(bundle.validators.slice(1))))
    const first = bundle.validators[0]!.split('+')[0]
    expect(signers.find((s) => s.name === first)).toMatchObject({ role: 'unknown', verified: false })
  })

  it('refuses text that is not a checkpoint, saying why', () => {
    expect(() => readCheckpoint('not a note')).toThrow(ApiError)
    expect(() => readCheckpoint('origin\nnot-a-size\nroot\n\n— v AAAA\n')).toThrow(/not a checkpoint/)
  })
})
