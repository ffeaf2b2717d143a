#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Decodes every vector written by gen_asn1_vectors with Debian's pyasn1-modules (an
# implementation independent of OpenSSL's templates), checks that re-encoding gives the same
# bytes, and compares the fields listed in manifest.json. Exits non-zero on any mismatch.
#
# Run with /usr/bin/python3 (python3-pyasn1-modules is installed there).
import json
import os
import subprocess
import sys

from pyasn1.codec.der import decoder, encoder
from pyasn1.type import char, namedtype, tag, univ
from pyasn1_modules import rfc4211, rfc5280, rfc6402

# Where pyasn1_modules.rfc6402 (0.2.8, a transcription of RFC 6402's module) differs from
# rfc5272bis, and what "fixed" means below:
#  * OtherStatusInfo.extendedFailInfo lacks its [1] tag, which rfc5272bis (IMPLICIT TAGS)
#    requires: without it pendInfo and extendedFailInfo are both untagged SEQUENCEs and the
#    CHOICE is ambiguous. Fixed here with an implicit [1].
#  * ChangeSubjectName.subjectAlt lacks its [1] tag ("subjectAlt [1] SubjectAltName").
#    Fixed here with an implicit [1] on GeneralNames.
#  * IdentityProofV2 is spelled IdentifyProofV2 (as in RFC 6402's module text); the DER is
#    the same, so the class is used as is.
#  * The OIDs agree with us and IANA: identityProofV2 = id-cmc 34, popLinkWitnessV2 = 33
#    (the 2026 rfc5272bis module swaps them; see docs/internals/asn1.md).
_ctx1 = tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)


class OtherStatusInfo(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType('failInfo', rfc6402.CMCFailInfo()),
        namedtype.NamedType('pendInfo', rfc6402.PendInfo()),
        namedtype.NamedType('extendedFailInfo', univ.Sequence(
            componentType=namedtype.NamedTypes(
                namedtype.NamedType('failInfoOID', univ.ObjectIdentifier()),
                namedtype.NamedType('failInfoValue', univ.Any()))).subtype(implicitTag=_ctx1)))


class CMCStatusInfoV2(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType('cMCStatus', rfc6402.CMCStatus()),
        namedtype.NamedType('bodyList', univ.SequenceOf(componentType=rfc6402.BodyPartReference())),
        namedtype.OptionalNamedType('statusString', char.UTF8String()),
        namedtype.OptionalNamedType('otherInfo', OtherStatusInfo()))


class ChangeSubjectName(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType('subject', rfc5280.Name()),
        namedtype.OptionalNamedType('subjectAlt', rfc5280.GeneralNames().subtype(implicitTag=_ctx1)))


class _Fixed:
    pass


fixed = _Fixed()
fixed.CMCStatusInfoV2 = CMCStatusInfoV2
fixed.ChangeSubjectName = ChangeSubjectName
MODULES = {'rfc6402': rfc6402, 'rfc4211': rfc4211, 'fixed': fixed}


def nav(obj, path):
    """Walk a decoded value; '@choice' gives the chosen alternative, '#' the length."""
    for seg in path.split('/'):
        if seg == '@choice':
            return obj.getName()
        if seg == '#':
            return len(obj)
        if seg.isdigit():
            obj = obj[int(seg)]
        elif isinstance(obj, univ.Choice):
            if obj.getName() != seg:
                raise KeyError('alternative %s chosen, not %s' % (obj.getName(), seg))
            obj = obj.getComponent()
        else:
            obj = obj[seg]
    return obj


def check_value(got, want):
    if want == 'present':
        return got.isValue, 'present'
    if want == 'absent':
        return not got.isValue, 'absent'
    if isinstance(want, str) and isinstance(got, str):
        return got == want, got
    if isinstance(want, int):
        return int(got) == want, int(got)
    kind, _, val = want.partition(':')
    if kind == 'hex':
        raw = got.asOctets() if hasattr(got, 'asOctets') else bytes(got)
        return raw.hex() == val, raw.hex()
    if kind in ('oid', 'str'):
        return str(got) == val, str(got)
    raise ValueError('bad expectation %r' % want)


def main():
    if len(sys.argv) != 3:
        print('usage: check_pyasn1.py GENERATOR OUTDIR', file=sys.stderr)
        return 2
    gen, outdir = sys.argv[1], sys.argv[2]
    subprocess.run([gen, outdir], check=True)
    with open(os.path.join(outdir, 'manifest.json')) as f:
        manifest = json.load(f)
    bad = 0
    for entry in manifest:
        name = entry['file']
        with open(os.path.join(outdir, name), 'rb') as f:
            der = f.read()
        spec = getattr(MODULES[entry['module']], entry['type'])()
        try:
            value, rest = decoder.decode(der, asn1Spec=spec)
        except Exception as e:  # pyasn1 raises several error classes
            print('FAIL %s: does not decode as %s.%s: %s' % (name, entry['module'], entry['type'], e))
            bad += 1
            continue
        if rest:
            print('FAIL %s: %d trailing bytes' % (name, len(rest)))
            bad += 1
        if encoder.encode(value) != der:
            print('FAIL %s: pyasn1 re-encoding differs' % name)
            bad += 1
        for path, want in entry['expect'].items():
            try:
                ok, got = check_value(nav(value, path), want)
            except Exception as e:
                ok, got = False, 'error %s' % e
            if not ok:
                print('FAIL %s: %s = %r, want %r' % (name, path, got, want))
                bad += 1
        if not bad:
            print('ok   %s (%d fields)' % (name, len(entry['expect'])))
    print('%d vectors, %d mismatches' % (len(manifest), bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
