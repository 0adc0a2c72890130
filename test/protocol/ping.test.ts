import { decodePacket } from '../../src/protocol/decode';
import { ReasonCode } from '../../src/protocol/reason-codes';
import { golden, hex, rejects } from '../support/codec-helpers';

describe('PINGREQ, PINGRESP', () => {
  it('encodes and decodes PINGREQ as a bare fixed header at every level', () => {
    // 0xC0 PINGREQ, remaining 0
    for (const level of [3, 4, 5] as const) golden({ type: 'pingreq' }, hex('c0 00'), level);
  });

  it('encodes and decodes PINGRESP as a bare fixed header at every level', () => {
    // 0xD0 PINGRESP, remaining 0
    for (const level of [3, 4, 5] as const) golden({ type: 'pingresp' }, hex('d0 00'), level);
  });

  it('rejects PINGREQ and PINGRESP with flags other than 0000', () => {
    rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('c1 00'), 5));
    rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('d8 00'), 4));
  });

  it('rejects PINGREQ and PINGRESP with a body', () => {
    // remaining 1, one stray byte
    rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('c0 01 00'), 5));
    rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('d0 01 00'), 4));
  });
});
