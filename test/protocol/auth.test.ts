import assert from 'node:assert/strict';
import { generate } from 'mqtt-packet';
import { decodePacket } from '../../src/protocol/decode';
import { encodePacket } from '../../src/protocol/encode';
import { ReasonCode } from '../../src/protocol/reason-codes';
import { golden, hex, oracleParse, rejects } from '../support/codec-helpers';

describe('AUTH', () => {
  it('encodes Success with no properties as an empty body', () => {
    // 0xF0 AUTH, remaining 0
    golden({ type: 'auth', reasonCode: 0 }, hex('f0 00'), 5);
    assert.deepEqual(encodePacket({ type: 'auth', reasonCode: 0, properties: {} }, 5), hex('f0 00'));
  });

  it('carries an authentication method and data', () => {
    golden(
      {
        type: 'auth',
        reasonCode: ReasonCode.ContinueAuthentication,
        properties: { authenticationMethod: 'SCRAM', authenticationData: Buffer.from([1, 2, 3]) },
      },
      hex(
        'f0 10', // AUTH, remaining 16
        '18', // Continue authentication
        '0e', // property length 14
        '15 00 05 53 43 52 41 4d', // authentication method "SCRAM"
        '16 00 03 01 02 03', // authentication data 01 02 03
      ),
      5,
    );
  });

  it('carries a reason string and user properties with the same name, in order', () => {
    golden(
      {
        type: 'auth',
        reasonCode: ReasonCode.ReAuthenticate,
        properties: {
          authenticationMethod: 'M',
          reasonString: 'r',
          userProperties: [
            ['u', '1'],
            ['u', '2'],
          ],
        },
      },
      hex(
        'f0 18', // AUTH, remaining 24
        '19', // Re-authenticate
        '16', // property length 22
        '15 00 01 4d', // authentication method "M"
        '1f 00 01 72', // reason string "r"
        '26 00 01 75 00 01 31', // user property "u" = "1"
        '26 00 01 75 00 01 32', // user property "u" = "2"
      ),
      5,
    );
  });

  it('writes the reason code and a property length once either is needed', () => {
    // AUTH, remaining 2, Continue authentication, property length 0
    golden({ type: 'auth', reasonCode: ReasonCode.ContinueAuthentication }, hex('f0 02 18 00'), 5);
    // AUTH, remaining 6, Success, property length 4, authentication method "M"
    golden(
      { type: 'auth', reasonCode: 0, properties: { authenticationMethod: 'M' } },
      hex('f0 06 00 04 15 00 01 4d'),
      5,
    );
  });

  it('decodes Success with a zero property length', () => {
    assert.deepEqual(decodePacket(hex('f0 02 00 00'), 5), { type: 'auth', reasonCode: 0 });
  });

  describe('rejects', () => {
    it('rejects AUTH with flags other than 0000', () => {
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('f1 00'), 5));
    });

    it('rejects AUTH before MQTT 5.0', () => {
      for (const level of [3, 4] as const) {
        rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('f0 00'), level));
        rejects(ReasonCode.MalformedPacket, () => encodePacket({ type: 'auth', reasonCode: 0 }, level));
      }
    });

    it('rejects a reason code that is not an Authenticate reason code', () => {
      for (const code of ['04', '87', '8c']) {
        // AUTH, remaining 2, code, property length 0
        rejects(ReasonCode.ProtocolError, () => decodePacket(hex('f0 02', code, '00'), 5));
      }
      rejects(ReasonCode.ProtocolError, () =>
        encodePacket({ type: 'auth', reasonCode: ReasonCode.NotAuthorized }, 5),
      );
    });

    it('rejects a reason code without a property length', () => {
      // AUTH, remaining 1, Continue authentication
      rejects(ReasonCode.MalformedPacket, () => decodePacket(hex('f0 01 18'), 5));
    });

    it('rejects a property outside the AUTH allow-list', () => {
      // AUTH, remaining 6, Continue authentication, property length 4, server reference "s"
      rejects(ReasonCode.ProtocolError, () => decodePacket(hex('f0 06 18 04 1c 00 01 73'), 5));
    });

    it('rejects an authentication method given twice', () => {
      const bytes = hex(
        'f0 0a', // AUTH, remaining 10
        '18', // Continue authentication
        '08', // property length 8
        '15 00 01 4d', // authentication method "M"
        '15 00 01 4e', // authentication method "N"
      );
      rejects(ReasonCode.ProtocolError, () => decodePacket(bytes, 5));
    });
  });

  describe('agrees with mqtt-packet', () => {
    it('reads what mqtt-packet writes', () => {
      const bytes = generate(
        {
          cmd: 'auth',
          reasonCode: 0x18,
          properties: { authenticationMethod: 'SCRAM', authenticationData: Buffer.from([9]) },
        },
        { protocolVersion: 5 },
      );
      assert.deepEqual(decodePacket(bytes, 5), {
        type: 'auth',
        reasonCode: 0x18,
        properties: { authenticationMethod: 'SCRAM', authenticationData: Buffer.from([9]) },
      });
    });

    it('writes what mqtt-packet reads', () => {
      // mqtt-packet 9 refuses the empty-body AUTH that spec 3.15.2.1 allows, so only the long form.
      const bytes = encodePacket(
        { type: 'auth', reasonCode: 0x19, properties: { authenticationMethod: 'M', reasonString: 'r' } },
        5,
      );
      const parsed = oracleParse(bytes, 5);
      assert.ok(parsed.cmd === 'auth');
      assert.equal(parsed.reasonCode, 0x19);
      assert.deepEqual(parsed.properties, { authenticationMethod: 'M', reasonString: 'r' });
    });
  });
});
