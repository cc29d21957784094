/**
 * Stable codes @cairn/validate adds for spec patterns; tests and callers
 * branch on these (older codes of this package are still spelled at their
 * throw sites, e.g. DATASET_SPEC_INVALID).
 */
export const ValidateErrorCode = {
  /** A spec is malformed (schema violation, contradictory bounds, invalid regular expression). */
  specInvalid: 'DATASET_SPEC_INVALID',
  /**
   * A pattern is a valid JavaScript regular expression that the linear-time
   * engine (RE2) cannot express: backreferences and lookaround.
   */
  patternUnsupported: 'DATASET_SPEC_PATTERN_UNSUPPORTED',
} as const;
