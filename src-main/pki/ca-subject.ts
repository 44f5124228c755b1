import { invalid, type Fix } from '../errors.ts';
import type { x509 } from './provider.ts';

/** The organization (O) and unit (OU) in a CA's subject, beside its CN (the CA's name). */
export interface CaSubject {
  org: string;
  orgUnit?: string;
}

/** What the user typed: either may be left out. */
export interface CaSubjectInput {
  org?: string;
  orgUnit?: string;
}

export const DEFAULT_CA_ORG = 'Cluster Trust';
/** X.520's upper bound for O and OU (ub-organization-name, ub-organizational-unit-name). */
const MAX_LENGTH = 64;

function checkPart(value: string, what: Fix): string {
  const trimmed = value.trim();
  // \p{C}: control, format (bidi overrides), private-use and unassigned code points: not printable.
  const problem = trimmed === '' ? 'must not be empty' : [...trimmed].length > MAX_LENGTH ? `must be at most ${MAX_LENGTH} characters (got ${[...trimmed].length})` : /\p{C}/u.test(trimmed) ? 'must be printable text (no control or formatting characters)' : null;
  if (problem) throw invalid(`${what.cli} ${problem}`, `${what.app} ${problem}`);
  return trimmed;
}

/** Checks what the user gave; O defaults to "Cluster Trust", no OU unless given. */
export function checkCaSubject(input: CaSubjectInput): CaSubject {
  const org = input.org === undefined ? DEFAULT_CA_ORG : checkPart(input.org, { cli: '--org', app: 'Organization (O)' });
  const orgUnit = input.orgUnit === undefined ? undefined : checkPart(input.orgUnit, { cli: '--org-unit', app: 'Organizational unit (OU)' });
  return orgUnit === undefined ? { org } : { org, orgUnit };
}

/** CN, O and (when set) OU, in that order. */
export function caSubjectName(name: string, subject: CaSubject = { org: DEFAULT_CA_ORG }): x509.JsonName {
  return [{ CN: [name] }, { O: [subject.org] }, ...(subject.orgUnit !== undefined ? [{ OU: [subject.orgUnit] }] : [])];
}

/** The O and OU of an existing CA (a rotation keeps them); O "Cluster Trust" when it has none. */
export function caSubjectOf(cert: x509.X509Certificate): CaSubject {
  const org = cert.subjectName.getField('O')[0] ?? DEFAULT_CA_ORG;
  const orgUnit = cert.subjectName.getField('OU')[0];
  return orgUnit === undefined ? { org } : { org, orgUnit };
}
